// The server's audit checkpoint runs: every 60 s (audit.scheduler.ts; not configurable through the
// CLI) the server signs a checkpoint for each practice with new audit entries. With hundreds of
// practices that is seconds of CPU at once, so the benchmark keeps its batches between two runs
// and measures the runs separately.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CpuMeter, type CpuReading, type CpuUsed, cpuUsed } from './clients.js';

const INTERVAL_MS = 60_000;
const POLL_MS = 200;
/** Share of a core the server must use in a poll, with no requests coming in, to count as a checkpoint run. */
const BUSY_SHARE = 0.3;
/** Polls in a row below BUSY_SHARE that end a run. */
const QUIET_POLLS = 3;
/** Polling starts this long before the predicted time and gives up this long after it. */
const EARLY_MS = 2_000;
const LATE_MS = 3_000;
/** Room kept free before the next predicted run. */
const MARGIN_MS = 3_000;

export interface CheckpointRun {
  /** False when no burst of server CPU showed up around the predicted time (nothing or little was due). */
  readonly seen: boolean;
  /** From the poll before the burst to its end; zero when not seen. */
  readonly cpu: CpuUsed;
  /** Observed minus predicted start (ms, ± one poll), to check the prediction. */
  readonly offsetMs: number;
}

/** Predicts the checkpoint runs from the server's start and corrects itself on every run it sees. */
export class CheckpointCycle {
  readonly #meter: CpuMeter;
  /** The start of a checkpoint run (at first, of the server: the scheduler's timer starts with it). */
  #anchorMs: number;

  constructor(meter: CpuMeter, serverStartedAtMs: number) {
    this.#meter = meter;
    this.#anchorMs = serverStartedAtMs;
  }

  /** Predicted start of the first checkpoint run after `ms` (performance.now() time). */
  nextAfter(ms: number): number {
    return this.#anchorMs + (Math.floor((ms - this.#anchorMs) / INTERVAL_MS) + 1) * INTERVAL_MS;
  }

  /** Whether a predicted checkpoint run falls between `startMs` and `endMs`. */
  covers(startMs: number, endMs: number): boolean {
    return this.nextAfter(startMs) <= endMs;
  }

  /** Waits for the next checkpoint run to end and measures it. The server must get no other work meanwhile. */
  async measureNext(): Promise<CheckpointRun> {
    const predicted = this.nextAfter(performance.now());
    await sleep(Math.max(0, predicted - EARLY_MS - performance.now()));
    let previous = this.#meter();
    let start: CpuReading | undefined;
    let quiet = 0;
    for (;;) {
      await sleep(POLL_MS);
      const reading = this.#meter();
      const busy = reading.serverMs - previous.serverMs >= BUSY_SHARE * (reading.atMs - previous.atMs);
      if (start === undefined && busy) start = previous;
      if (start === undefined && reading.atMs > predicted + LATE_MS) {
        return { seen: false, cpu: cpuUsed(reading, reading), offsetMs: Number.NaN };
      }
      if (start !== undefined) {
        quiet = busy ? 0 : quiet + 1;
        if (quiet >= QUIET_POLLS) {
          const startedMs = start.atMs + POLL_MS / 2;
          this.#anchorMs = startedMs;
          return { seen: true, cpu: cpuUsed(start, reading), offsetMs: startedMs - predicted };
        }
      }
      previous = reading;
    }
  }

  /** Waits past the next checkpoint run unless `durationMs` of work fits before it. */
  async makeRoom(durationMs: number): Promise<void> {
    const now = performance.now();
    if (now + durationMs + MARGIN_MS < this.nextAfter(now)) return;
    await this.measureNext();
  }
}
