/**
 * Retention of medical records (§630f Abs. 3 BGB: ten years after the end of treatment). The
 * server keeps only the day of the last entry or document (it sees when they are written anyway)
 * and derives a coarse retention end: 31 December of the tenth year after it.
 */

export const RETENTION_YEARS = 10;

/** YYYY-MM-DD of a point in time, in UTC. */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function retentionUntil(lastTreatment: string): string {
  const year = Number(lastTreatment.slice(0, 4));
  return `${String(year + RETENTION_YEARS).padStart(4, '0')}-12-31`;
}

/** Whether a record whose retention ends on `until` (null: never treated) must still be kept on `today`. */
export function underRetention(until: string | null, today: string): boolean {
  return until !== null && until >= today;
}
