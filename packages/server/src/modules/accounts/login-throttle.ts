/**
 * Login delays and alarms (seed 003: "up to 5 seconds between attempts; repeated failures in a
 * short interval raise an alarm"). Per account, the n-th consecutive failure makes the next
 * attempt wait min(0.25 s · 2^(n−1), 5 s), until a successful login of that account. Per client
 * IP, n is the number of failures in the last 15 minutes: a success does not reset it (else an
 * attacker could log in to an own account between guesses at others), time does. Waiting uses
 * timers, never blocks the event loop, and one account's delay never slows another's logins.
 */
export const ALARM_THRESHOLD = 5;
export const ALARM_WINDOW_MS = 15 * 60 * 1000;
const MAX_DELAY_MS = 5000;
const BASE_DELAY_MS = 250;
const MAX_TRACKED = 100_000;

interface FailureState {
  count: number;
  /** Times of the recent consecutive failures, for the alarm window. */
  recent: number[];
  alarmed: boolean;
}

export function delayForFailures(failures: number): number {
  return failures <= 0 ? 0 : Math.min(BASE_DELAY_MS * 2 ** (failures - 1), MAX_DELAY_MS);
}

export interface FailureOutcome {
  /** True exactly once per run of failures: when it reaches the alarm threshold in the window. */
  readonly raiseAlarm: boolean;
  readonly consecutiveFailures: number;
}

export class LoginThrottle {
  private readonly accounts = new Map<string, FailureState>();
  private readonly addresses = new Map<string, FailureState>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How long to wait before handling an attempt for this account from this address. */
  delayMs(account: string, address: string): number {
    const now = this.now();
    const recentFromAddress =
      this.addresses.get(address)?.recent.filter((t) => now - t < ALARM_WINDOW_MS).length ?? 0;
    return delayForFailures(Math.max(this.accounts.get(account)?.count ?? 0, recentFromAddress));
  }

  recordFailure(account: string, address: string): FailureOutcome {
    this.bump(this.addresses, address);
    const state = this.bump(this.accounts, account);
    const raiseAlarm = !state.alarmed && state.recent.length >= ALARM_THRESHOLD;
    if (raiseAlarm) state.alarmed = true;
    return { raiseAlarm, consecutiveFailures: state.count };
  }

  /** Takes back one failure counted in advance (a login start whose password then proved right). */
  forgive(account: string, address: string): void {
    for (const [map, key] of [
      [this.accounts, account],
      [this.addresses, address],
    ] as const) {
      const state = map.get(key);
      if (state === undefined) continue;
      state.count = Math.max(0, state.count - 1);
      state.recent = state.recent.slice(0, -1);
      if (state.count === 0) map.delete(key);
    }
  }

  /** A login succeeded: the account's failures are over; the address's expire with time. */
  recordSuccess(account: string): void {
    this.accounts.delete(account);
  }

  private bump(map: Map<string, FailureState>, key: string): FailureState {
    const now = this.now();
    const state = map.get(key) ?? { count: 0, recent: [], alarmed: false };
    state.count += 1;
    state.recent = [...state.recent.filter((t) => now - t < ALARM_WINDOW_MS), now];
    if (state.recent.length === 1) state.alarmed = false;
    if (!map.has(key) && map.size >= MAX_TRACKED) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    map.set(key, state);
    return state;
  }
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
