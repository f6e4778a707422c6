/**
 * When the user was last active, judged by the wall clock rather than by a timer alone: a timer
 * is throttled in a background tab and stops while the computer sleeps, so it can fire long after
 * its time, and the first click after waking would otherwise count as fresh activity and keep the
 * decrypted screen open. `activity` therefore says whether the idle time ran out before this input.
 */
export class IdleClock {
  #last: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#last = now();
  }

  /** Input arrived: true if the idle time had already run out (lock now), else it starts again. */
  activity(): boolean {
    if (this.expired()) return true;
    this.#last = this.now();
    return false;
  }

  /** True once `timeoutMs` passed since the last input. */
  expired(): boolean {
    return this.now() - this.#last >= this.timeoutMs;
  }

  /** Milliseconds until the idle time runs out (0 if it has). */
  remaining(): number {
    return Math.max(0, this.#last + this.timeoutMs - this.now());
  }
}
