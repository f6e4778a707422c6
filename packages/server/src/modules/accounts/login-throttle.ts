import { AppError } from '../../platform/app-error.js';

/**
 * Login delays and alarms (seed 003: "up to 5 seconds between attempts; repeated failures in a
 * short interval raise an alarm"). Per account, the n-th consecutive failure makes the next
 * attempt wait min(0.25 s · 2^(n−1), 5 s), until a successful login of that account. Per client
 * IP, n is the number of failures in the last 15 minutes: a success does not reset it (else an
 * attacker could log in to an own account between guesses at others), time does. Waiting uses
 * timers, never blocks the event loop, and one account's delay never slows another's logins.
 * Concurrent attempts queue: each is counted when it arrives and waits its delay after the turn
 * of the attempt before it, so parallel requests are spaced like sequential ones; an attempt
 * whose turn lies more than MAX_QUEUE_MS ahead is refused (429) and not counted.
 */
export const ALARM_THRESHOLD = 5;
export const ALARM_WINDOW_MS = 15 * 60 * 1000;
const MAX_DELAY_MS = 5000;
export const MAX_QUEUE_MS = 6 * MAX_DELAY_MS;
const BASE_DELAY_MS = 250;
const MAX_TRACKED = 100_000;

interface FailureState {
  count: number;
  /** Times of the recent consecutive failures, for the alarm window. */
  recent: number[];
  alarmed: boolean;
  /** When the latest admitted attempt gets its turn: the next one waits its delay after it. */
  turnAt: number;
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

  constructor(
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {}

  /**
   * Lets an attempt in: counts it as a failure at once (a proven password forgives it), then
   * waits for its turn, after the attempts for this account or from this address still waiting.
   * @throws AppError `request.rate_limited` when the turn lies more than MAX_QUEUE_MS ahead.
   */
  async attempt(account: string, address: string): Promise<FailureOutcome> {
    const now = this.now();
    const ahead = Math.max(
      now,
      this.accounts.get(account)?.turnAt ?? 0,
      this.addresses.get(address)?.turnAt ?? 0,
    );
    const turnAt = ahead + this.delayMs(account, address);
    if (turnAt - now > MAX_QUEUE_MS) throw new AppError('request.rate_limited');
    const outcome = this.fail(account, address, turnAt);
    await this.wait(turnAt - now);
    return outcome;
  }

  /** How long to wait before handling an attempt for this account from this address. */
  delayMs(account: string, address: string): number {
    const now = this.now();
    const recentFromAddress =
      this.addresses.get(address)?.recent.filter((t) => now - t < ALARM_WINDOW_MS).length ?? 0;
    return delayForFailures(Math.max(this.accounts.get(account)?.count ?? 0, recentFromAddress));
  }

  recordFailure(account: string, address: string): FailureOutcome {
    return this.fail(account, address, this.now());
  }

  /** Counts a failure that happens at `at` (now, or the turn of a queued attempt). */
  private fail(account: string, address: string, at: number): FailureOutcome {
    this.bump(this.addresses, address, at);
    const state = this.bump(this.accounts, account, at);
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

  private bump(map: Map<string, FailureState>, key: string, at: number): FailureState {
    const state = map.get(key) ?? { count: 0, recent: [], alarmed: false, turnAt: 0 };
    state.count += 1;
    state.recent = [...state.recent.filter((t) => at - t < ALARM_WINDOW_MS), at];
    state.turnAt = Math.max(state.turnAt, at);
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
