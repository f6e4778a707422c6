/**
 * When the daemon runs the plan (docs/BACKUP_PLAN.md, "Daemon"): `times` are local wall-clock
 * times `HH:MM`, every day. `retention: true` applies the plan's retention rules (forget, then
 * prune) after each run.
 */
export interface Schedule {
  readonly times: readonly string[];
  readonly retention?: boolean;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Validates a plan's `schedule`. @returns a message, or undefined if valid. */
export function invalidSchedule(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object';
  const { times, retention, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return `has an unknown field "${unknown}" (known: times, retention)`;
  if (!Array.isArray(times) || times.length === 0)
    return '"times" must be a non-empty list such as ["19:00"]';
  const bad = (times as unknown[]).find((time) => typeof time !== 'string' || !TIME.test(time));
  if (bad !== undefined) return `"times" entry ${JSON.stringify(bad)} is not a time HH:MM (00:00-23:59)`;
  if (retention !== undefined && typeof retention !== 'boolean') return '"retention" must be true or false';
  return undefined;
}

/** The first scheduled moment strictly after `now`, in local time (today or tomorrow). */
export function nextRun(now: Date, times: readonly string[]): Date {
  let best: Date | undefined;
  for (const time of times) {
    const match = TIME.exec(time);
    if (!match) continue;
    for (const dayOffset of [0, 1]) {
      const at = new Date(
        now.getFullYear(),
        now.getMonth(),
        now.getDate() + dayOffset,
        Number(match[1]),
        Number(match[2]),
      );
      if (at.getTime() > now.getTime()) {
        if (!best || at < best) best = at;
        break;
      }
    }
  }
  if (!best) throw new Error('no valid time in the schedule');
  return best;
}
