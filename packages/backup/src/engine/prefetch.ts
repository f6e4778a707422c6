import { Worker } from 'node:worker_threads';
import {
  PREFETCH_READING,
  PREFETCH_STOP,
  type PrefetchHint,
  type PrefetchSetup,
} from './prefetch-protocol.js';
import { workerEntry } from './worker-entry.js';

/**
 * How far the prefetch worker reads ahead of the blob workers: at most this many hinted files
 * (each a small file, at most SMALL_FILE_BYTES: page cache, not this process's memory).
 */
const AHEAD_FILES = 64;

/**
 * Reads the small files (at most SMALL_FILE_BYTES, worker-protocol.ts) a backup is about to read
 * once ahead, on a thread of its own, so that a blob worker's synchronous read finds them in the
 * page cache instead of waiting for the disk (larger files are read in large pieces through the
 * thread pool, which the kernel's read-ahead covers). On the benchmark's first backup with a cold
 * cache, reading its 20,000 documents cost the blob workers ~2 s of waiting.
 *
 * The archiver hints each directory's files that it will read (unchanged files are never read,
 * so never hinted) and reports when a blob worker starts one; the prefetch worker skips files a
 * blob worker already started and stays at most AHEAD_FILES ahead. Only a speed-up: a file it
 * misses or fails on is read as before. The thread starts with the first hint, so a backup that
 * reads nothing never pays for it.
 */
export class Prefetcher {
  readonly #control = new Int32Array(new SharedArrayBuffer(8));
  readonly #seqs = new Map<string, number>();
  #worker: Worker | undefined;
  #next = 0;
  #closed = false;

  /** Whether its thread was started (by a first non-empty hint). */
  get started(): boolean {
    return this.#worker !== undefined;
  }

  /** `paths` will be read in this order (after any hinted before). */
  hint(paths: readonly string[]): void {
    if (this.#closed || paths.length === 0) return;
    const hint: PrefetchHint = { first: this.#next, paths };
    for (const path of paths) this.#seqs.set(path, this.#next++);
    this.#started().postMessage(hint);
  }

  /** A blob worker starts reading `path`: the prefetch worker need not read it or any before. */
  reading(path: string): void {
    const seq = this.#seqs.get(path);
    if (seq === undefined) return;
    this.#seqs.delete(path);
    if (seq + 1 > Atomics.load(this.#control, PREFETCH_READING)) {
      Atomics.store(this.#control, PREFETCH_READING, seq + 1);
      Atomics.notify(this.#control, PREFETCH_READING);
    }
  }

  /** Hinted files that will not be read after all (their directory is done). */
  forget(paths: readonly string[]): void {
    for (const path of paths) this.reading(path);
  }

  async close(): Promise<void> {
    this.#closed = true;
    Atomics.store(this.#control, PREFETCH_STOP, 1);
    Atomics.notify(this.#control, PREFETCH_READING);
    await this.#worker?.terminate();
  }

  #started(): Worker {
    if (this.#worker === undefined) {
      const setup: PrefetchSetup = {
        control: this.#control.buffer,
        aheadFiles: AHEAD_FILES,
      };
      const entry = workerEntry('prefetch-worker');
      this.#worker = new Worker(entry.script, { eval: entry.eval, workerData: setup });
      // Only a speed-up: if the thread fails, files are read as they would be without it.
      this.#worker.on('error', () => undefined);
      this.#worker.unref();
    }
    return this.#worker;
  }
}
