import type { CheckpointOutcome } from './audit.service.js';

/** The part of a pino logger the scheduler uses. */
export interface SchedulerLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface CheckpointSchedulerOptions {
  readonly logger: SchedulerLogger;
  /** How often practices with new entries get a checkpoint (default 60 s). */
  readonly intervalMs?: number;
  /** A practice also gets one as soon as this many entries were appended since its last run (default 100). */
  readonly appendsPerCheckpoint?: number;
}

/**
 * Creates checkpoints for practices that had appends: every `intervalMs`, and early after
 * `appendsPerCheckpoint` appends. Which practices are due is kept in memory (the application
 * role cannot list practices across tenants); `stop()` checkpoints what is still due, so only a
 * crash leaves entries unsigned until the practice's next append.
 */
export class CheckpointScheduler {
  readonly #checkpointer: { createCheckpoint(practiceId: string): Promise<CheckpointOutcome> };
  readonly #logger: SchedulerLogger;
  readonly #intervalMs: number;
  readonly #appendsPerCheckpoint: number;
  readonly #due = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    checkpointer: { createCheckpoint(practiceId: string): Promise<CheckpointOutcome> },
    options: CheckpointSchedulerOptions,
  ) {
    this.#checkpointer = checkpointer;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#appendsPerCheckpoint = options.appendsPerCheckpoint ?? 100;
  }

  /** For `AuditLog`'s `onAppend`: marks the practice due, and runs it early after enough appends. */
  readonly noteAppend = (practiceId: string): void => {
    const appends = (this.#due.get(practiceId) ?? 0) + 1;
    this.#due.set(practiceId, appends);
    // Not awaited: the append's transaction has not committed yet; the checkpoint waits for it.
    if (appends >= this.#appendsPerCheckpoint && !this.#stopped) void this.#run([practiceId]);
  };

  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => void this.flush(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Checkpoints every practice that is due now; resolves when done (errors are logged). */
  flush(): Promise<void> {
    return this.#run([...this.#due.keys()]);
  }

  /** Stops the timer and checkpoints what is still due. Call before the database closes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  /** Runs after whatever run is in progress, so runs never overlap. */
  #run(practiceIds: readonly string[]): Promise<void> {
    for (const id of practiceIds) this.#due.delete(id);
    const run = this.#running.then(async () => {
      for (const practiceId of practiceIds) await this.#checkpoint(practiceId);
    });
    this.#running = run;
    return run;
  }

  async #checkpoint(practiceId: string): Promise<void> {
    try {
      const outcome = await this.#checkpointer.createCheckpoint(practiceId);
      if (outcome.status === 'refused') {
        this.#logger.error(
          { practiceId, problem: outcome.problem },
          'audit trail failed verification: no checkpoint signed; run "tresor audit verify"',
        );
      }
    } catch (error) {
      // Retried with the next run.
      this.#due.set(practiceId, this.#due.get(practiceId) ?? 0);
      this.#logger.warn({ err: error, practiceId }, 'audit checkpoint failed; will retry');
    }
  }
}
