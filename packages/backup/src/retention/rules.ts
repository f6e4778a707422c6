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

/** Validates rules from a plan file or the command line. @returns a message, or undefined if valid. */
export function invalidRule(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  for (const [key, n] of Object.entries(value)) {
    if (!(RULE_NAMES as readonly string[]).includes(key))
      return `unknown rule "${key}" (known: ${RULE_NAMES.join(', ')})`;
    const allowsFraction = key === 'maxAgeDays' || key === 'minAgeDays';
    if (
      typeof n !== 'number' ||
      !Number.isFinite(n) ||
      n < 0 ||
      (!allowsFraction && !Number.isSafeInteger(n))
    ) {
      return `"${key}" must be a ${allowsFraction ? '' : 'whole '}number ≥ 0`;
    }
  }
  return undefined;
}
