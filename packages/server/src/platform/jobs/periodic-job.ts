/** The part of a pino logger a periodic job uses. */
export interface PeriodicJobLogger {
  error(details: object, message: string): void;
}

export interface PeriodicJobOptions<T> {
  /** One pass; `stopped()` turns true once the job is being stopped (end the pass early then). */
  readonly pass: (stopped: () => boolean) => Promise<T>;
  readonly logger: PeriodicJobLogger;
  /** Logged with the error when a scheduled pass fails (it is tried again next time). */
  readonly failureMessage: string;
  /** Delay of the first pass after `start`. */
  readonly firstRunAfterMs: number;
  /** Time between the end of one pass and the start of the next. */
  readonly intervalMs: number;
}

/**
 * Runs a pass on a timer that never keeps the process alive. Passes never overlap (a pass asked
 * for with `runOnce` waits for the one in progress); a scheduled pass that fails is logged and the
 * next one is scheduled as usual, so a failure never takes the server down.
 */
export class PeriodicJob<T> {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: PeriodicJobOptions<T>) {}

  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#schedule(this.options.firstRunAfterMs);
  }

  /** Stops the timer and waits for a pass in progress (which is told to end early). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One pass now (after any pass in progress); rejects if it fails. */
  runOnce(): Promise<T> {
    const run = this.#running.then(() => this.options.pass(() => this.#stopped));
    this.#running = run.catch(() => undefined);
    return run;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce()
        .catch((error: unknown) => {
          this.options.logger.error({ err: error }, this.options.failureMessage);
        })
        .finally(() => {
          this.#schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }
}
