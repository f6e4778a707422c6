import { Worker } from 'node:worker_threads';
import {
  CONTROL_STOP,
  CONTROL_TAKEN,
  type DirListing,
  type FromStatWorker,
  type StatWorkerSetup,
  listingWeight,
} from './stat-protocol.js';
import { workerEntry } from './worker-entry.js';

/**
 * Entries listed ahead at most (names with their lstat, ~150 bytes each: a few MiB). Bounds the
 * memory however large the tree; the stat worker waits until the walk catches up.
 */
const AHEAD_LIMIT = 32_768;

type Queued = Exclude<FromStatWorker, { op: 'done' }>;

/**
 * The main thread's side of the stat worker (stat-worker.ts): listings of the directories the
 * archiver is about to walk, with every entry's lstat, read on another thread while this one
 * works. Started before the key is derived, it overlaps the kernel's inode reads (a cold cache's
 * cost) with opening the repository, and takes ~20,000 lstat calls and their objects off the main
 * thread.
 *
 * Only a speed-up: whenever it has nothing for a directory (the worker failed, or the tree
 * changed between its walk and the archiver's), the archiver reads the directory itself.
 */
export class StatAhead {
  readonly #worker: Worker;
  readonly #control: Int32Array;
  readonly #queue: Queued[] = [];
  #done = false;
  #wake: (() => void) | undefined;

  private constructor(sources: readonly string[], skip: readonly string[], aheadLimit: number) {
    const control = new SharedArrayBuffer(8);
    this.#control = new Int32Array(control);
    const setup: StatWorkerSetup = { sources, skip, control, aheadLimit };
    const entry = workerEntry('stat-worker');
    this.#worker = new Worker(entry.script, { eval: entry.eval, workerData: setup });
    this.#worker.on('message', (message: FromStatWorker) => {
      if (message.op === 'done') this.#done = true;
      else this.#queue.push(message);
      this.#wakeUp();
    });
    // A failed worker only means that the archiver lists and stats everything itself.
    const finish = () => {
      this.#done = true;
      this.#wakeUp();
    };
    this.#worker.on('error', finish);
    this.#worker.on('exit', finish);
  }

  /**
   * Starts listing `sources` (absolute, in the archiver's order), never descending into `skip`,
   * at most `aheadLimit` entries ahead of what has been taken.
   */
  static start(sources: readonly string[], skip: Iterable<string> = [], aheadLimit = AHEAD_LIMIT): StatAhead {
    return new StatAhead(sources, [...skip], aheadLimit);
  }

  /**
   * The listing of `dir`, or undefined when there is none for it (the archiver then reads the
   * directory itself). Listings before it, of directories the archiver passed by (left out by an
   * exclude pattern), are dropped on the way.
   */
  async take(dir: string): Promise<DirListing | undefined> {
    for (;;) {
      let next: Queued | undefined;
      while ((next = this.#queue.shift()) !== undefined) {
        const [listing, listed] =
          next.op === 'listing' ? [next.listing, next.listing.dir] : [undefined, next.dir];
        Atomics.add(this.#control, CONTROL_TAKEN, listingWeight(listing));
        Atomics.notify(this.#control, CONTROL_TAKEN);
        if (listed === dir) return listing;
      }
      if (this.#done) return undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Stops the worker (it may still be walking directories the archiver left out). Idempotent. */
  async close(): Promise<void> {
    Atomics.store(this.#control, CONTROL_STOP, 1);
    Atomics.notify(this.#control, CONTROL_TAKEN);
    await this.#worker.terminate();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
