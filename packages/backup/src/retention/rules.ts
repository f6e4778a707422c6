/**
 * Retention rules (docs/BACKUP_PLAN.md, "Retention"). Limits delete, keep rules select what
 * stays, exceptions protect; every field is optional.
 */
export interface RetentionRules {
  /** Keep the newest n snapshots. */
  readonly keepLast?: number;
  /** Keep the newest snapshot of each of the last n days (UTC) that have one. */
  readonly keepDaily?: number;
  /** … of each of the last n ISO weeks that have one. */
  readonly keepWeekly?: number;
  /** … of each of the last n calendar months (UTC) that have one. */
  readonly keepMonthly?: number;
  /** Limit: forget snapshots older than this many days. */
  readonly maxAgeDays?: number;
  /** Limit: forget the oldest snapshots until the repository's live data is at most this many bytes. */
  readonly maxTotalBytes?: number;
  /** Exception: never forget the newest n snapshots. */
  readonly minKeep?: number;
  /** Exception: never forget a snapshot younger than this many days. */
  readonly minAgeDays?: number;
}

export const RULE_NAMES = [
  'keepLast',
  'keepDaily',
  'keepWeekly',
  'keepMonthly',
  'maxAgeDays',
  'maxTotalBytes',
  'minKeep',
  'minAgeDays',
] as const satisfies readonly (keyof RetentionRules)[];

export function hasAnyRule(rules: RetentionRules): boolean {
  return RULE_NAMES.some((name) => rules[name] !== undefined);
}

export function hasKeepRule(rules: RetentionRules): boolean {
  return (
    rules.keepLast !== undefined ||
    rules.keepDaily !== undefined ||
    rules.keepWeekly !== undefined ||
    rules.keepMonthly !== undefined
  );
}

/**
 * The smallest size limit (1 MiB): a repository's live data is never that small in practice, so a
 * smaller limit is a unit mistake (`500` meaning 500 MiB) that would forget every snapshot.
 */
export const MIN_TOTAL_BYTES = 2 ** 20;

/** Rules that take a count: 0 would forget everything (keep rules) or mean nothing (minKeep). */
const COUNT_RULES: readonly string[] = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'minKeep'];

/** Validates rules from a plan file or the command line. @returns a message, or undefined if valid. */
export function invalidRule(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  for (const [key, n] of Object.entries(value)) {
    if (!(RULE_NAMES as readonly string[]).includes(key))
      return `unknown rule "${key}" (known: ${RULE_NAMES.join(', ')})`;
    if (typeof n !== 'number' || !Number.isFinite(n)) return `"${key}" must be a number`;
    if (COUNT_RULES.includes(key) && (!Number.isSafeInteger(n) || n < 1))
      return `"${key}" must be a whole number ≥ 1`;
    if (key === 'maxAgeDays' && !(n > 0)) return `"${key}" must be a number > 0`;
    if (key === 'minAgeDays' && n < 0) return `"${key}" must be a number ≥ 0`;
    if (key === 'maxTotalBytes' && (!Number.isSafeInteger(n) || n < MIN_TOTAL_BYTES))
      return `"${key}" must be a whole number of bytes ≥ ${MIN_TOTAL_BYTES} (1 MiB)`;
  }
  return undefined;
}
