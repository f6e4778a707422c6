import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChunkerParams } from '../chunker/fastcdc.js';
import type { BlobId } from '../crypto/blob-id.js';
import type { RepositoryKeys } from '../crypto/keys.js';
import { type CodecName, availableCodec } from '../compress/codec.js';
import {
  type ByteRange,
  type FromWorker,
  type HandleStat,
  type RestoreFile,
  type RestoreFileOutcome,
  type SealedData,
  type SmallFileJob,
  type StoredBlob,
  type ToWorker,
  type WorkerSetup,
  SMALL_FILE_BYTES,
  WHOLE_FILE,
} from './worker-protocol.js';
import { workerEntry } from './worker-entry.js';

/** What the main thread does for a file job: decide which chunks to store, and store them. */
export interface FileJobHandlers {
  /** For each id: should the worker seal and send this chunk? */
  decide(ids: readonly BlobId[], bytes: number): boolean[];
  /** Stores sealed blobs (resolves once they are written to the open pack). */
  store(blobs: readonly SealedData[]): Promise<void>;
  /**
   * Stores those of `blobs` the repository lacks, sealed without `decide` (a file of one batch);
   * `bytes` is their plaintext size, for progress.
   */
  storeUnasked(blobs: readonly SealedData[], bytes: number): Promise<void>;
}

export type FileJobResult =
  | {
      readonly ok: true;
      readonly content: readonly BlobId[];
      readonly size: number;
      readonly before: HandleStat;
      readonly after: HandleStat;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

interface Job {
  readonly worker: PoolWorker;
  readonly handlers?: FileJobHandlers;
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  active: number;
  /** Small files taken for this worker and not sent yet (see SMALL_FILES_PER_MESSAGE). */
  small: SmallFileJob[];
}

export interface WorkerPoolOptions {
  /** Threads; default: the number of CPUs (at most 8). */
  readonly size?: number;
  readonly codec?: CodecName;
}

/** Concurrent jobs per worker: one computes while the other waits for the main thread. */
export const JOBS_PER_WORKER = 4;

/**
 * Jobs per worker when the job is a small file (at most SMALL_FILE_BYTES, read whole in one
 * synchronous call and sealed in one go: a worker runs them one after the other with one read
 * buffer). A deeper queue keeps a worker busy while the main thread is not answering (a
 * collection, a pack being finished). Paired cold first backups of the benchmark set: 8 instead
 * of 4 took 7.7–8.1 s instead of 8.0–9.2 s (4 pairs, each faster), 16 instead of 8 took
 * 7.5–7.9 s instead of 7.8–8.5 s (3 pairs, each faster) for ~10 MB more peak RSS; 32 gained
 * nothing more.
 */
const SMALL_FILE_JOBS_PER_WORKER = 16;

/**
 * Small files go to a worker in messages of up to this many (half its queue, so that it works on
 * one message while the next is on its way), and come back together in one: two messages per
 * file between threads cost each side a wake-up, a turn of its event loop and a (de)serialization.
 * The rest of a message is sent when the walk pauses (setImmediate).
 */
const SMALL_FILES_PER_MESSAGE = SMALL_FILE_JOBS_PER_WORKER / 2;

/**
 * A worker takes a segment of a large file only while it runs fewer jobs than this. Every
 * segment job moves full 1 MiB batches, unlike the jobs of small files: with 4 of them per
 * worker the first backup of the benchmark peaked at ~270 MB RSS instead of ~155 MB, for no gain
 * in speed.
 */
const SEGMENT_JOBS_PER_WORKER = 2;

/**
 * Worker threads for the CPU-heavy work. Backup: each file job reads, chunks and hashes a file
 * in a worker, asks the main thread which chunks are new (the index lives there), and seals only
 * those. Restore and check: decrypt, decompress and verify blobs. Buffers are transferred, not
 * copied. Memory per worker: JOBS_PER_WORKER file jobs (SMALL_FILE_JOBS_PER_WORKER if small
 * files, which run one after the other with one 1 MiB buffer and each leave at most one sealed
 * file until the main thread takes it), each with a read buffer (2 × (1 MiB + maxSize), at most
 * 10 MiB; kept for reuse, see read-buffers.ts) whose chunks are sealed in place, and one batch's
 * sealed copies; or one
 * restore or check job, which holds one blob at a time. Dropped buffers are collected every few
 * MiB (reclaim.ts).
 */
export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly jobs = new Map<number, Job>();
  private seq = 0;
  private failure: Error | undefined;
  private smallFlushDue = false;
  private readonly slotWaiters: (() => void)[] = [];

  private readonly setup: WorkerSetup;
  private readonly count: number;

  /**
   * Threads start with the first job (or {@link warmUp}): a backup that finds nothing to read never
   * pays for them.
   */
  constructor(keys: RepositoryKeys, options: WorkerPoolOptions = {}) {
    this.count = Math.max(1, options.size ?? Math.min(availableParallelism(), 8));
    this.setup = {
      encryptionKey: keys.encryption,
      idKey: keys.id,
      gear: keys.gear,
      codec: availableCodec(options.codec ?? 'zstd'),
    };
  }

  private spawn(): void {
    const entry = workerEntry('blob-worker');
    for (let i = 0; i < this.count; i++) {
      const worker = new Worker(entry.script, { eval: entry.eval, workerData: this.setup });
      const poolWorker: PoolWorker = { worker, active: 0, small: [] };
      worker.on('message', (message: FromWorker) => {
        this.receive(message);
      });
      worker.on('error', (error) => {
        this.fail(error);
      });
      worker.on('exit', (code) => {
        if ([...this.jobs.values()].some((job) => job.worker === poolWorker)) {
          this.fail(new Error(`a blob worker exited with code ${code}`));
        }
      });
      this.workers.push(poolWorker);
    }
  }

  get size(): number {
    return this.count;
  }

  /**
   * Starts the threads now instead of with the first job, for callers that will surely need them:
   * a thread takes ~0.2 s to load its code, which then overlaps with the caller's own setup.
   */
  warmUp(): void {
    if (this.workers.length === 0) this.spawn();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
    for (const worker of this.workers) worker.small = [];
    // Callers waiting for a slot see the failure instead of waiting for ever.
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  private send(worker: PoolWorker, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    worker.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    if (message.op === 'small-done') {
      for (const reply of message.replies) this.receive(reply);
      return;
    }
    const job = this.jobs.get(message.seq);
    if (!job) return;
    if (message.op === 'batch') {
      try {
        const need = job.handlers!.decide(message.ids, message.bytes);
        this.send(job.worker, { op: 'need', seq: message.seq, need });
      } catch (error) {
        this.finish(message.seq, job);
        job.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    if (message.op === 'sealed') {
      job.handlers!.store(message.blobs).then(
        () => {
          this.send(job.worker, { op: 'stored', seq: message.seq });
        },
        (error: unknown) => {
          this.finish(message.seq, job);
          job.reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
      return;
    }
    if (message.op === 'done' && message.unasked) {
      job.handlers!.storeUnasked(message.unasked.blobs, message.unasked.bytes).then(
        () => {
          this.finish(message.seq, job);
          job.resolve(message);
        },
        (error: unknown) => {
          this.finish(message.seq, job);
          job.reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
      return;
    }
    this.finish(message.seq, job);
    job.resolve(message);
  }

  private finish(seq: number, job: Job): void {
    if (!this.jobs.delete(seq)) return;
    job.worker.active--;
    this.slotWaiters.shift()?.();
  }

  /** The least busy worker; waits while every worker runs `perWorker` jobs. */
  private async acquire(perWorker = JOBS_PER_WORKER): Promise<PoolWorker> {
    this.warmUp();
    for (;;) {
      if (this.failure) throw this.failure;
      let best: PoolWorker | undefined;
      for (const candidate of this.workers) if (!best || candidate.active < best.active) best = candidate;
      if (best && best.active < perWorker) {
        best.active++;
        return best;
      }
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
  }

  /** The job `seq` on `worker`: settles with its last message from the worker. */
  private register(worker: PoolWorker, seq: number, handlers?: FileJobHandlers): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      this.jobs.set(seq, { worker, resolve, reject, ...(handlers ? { handlers } : {}) });
    });
  }

  private start(
    worker: PoolWorker,
    message: Extract<ToWorker, { seq: number }>,
    transfer: ArrayBuffer[],
    handlers?: FileJobHandlers,
  ): Promise<FromWorker> {
    const result = this.register(worker, message.seq, handlers);
    this.send(worker, message, transfer);
    return result;
  }

  /** Queues a whole small file for `worker`; it is sent with others (see SMALL_FILES_PER_MESSAGE). */
  private startSmall(worker: PoolWorker, job: SmallFileJob, handlers: FileJobHandlers): Promise<FromWorker> {
    const result = this.register(worker, job.seq, handlers);
    worker.small.push(job);
    if (worker.small.length >= SMALL_FILES_PER_MESSAGE) this.sendSmall(worker);
    else if (!this.smallFlushDue) {
      this.smallFlushDue = true;
      setImmediate(() => {
        this.smallFlushDue = false;
        for (const each of this.workers) this.sendSmall(each);
      });
    }
    return result;
  }

  private sendSmall(worker: PoolWorker): void {
    if (worker.small.length === 0) return;
    const jobs = worker.small;
    worker.small = [];
    this.send(worker, { op: 'small-files', jobs });
  }

  /**
   * Starts backing up one file (or the byte range of it) in a worker. Resolves (outer promise) as soon as a worker slot is
   * taken — the caller may go on walking — with the job's own promise inside.
   */
  async startFile(
    path: string,
    params: ChunkerParams,
    handlers: FileJobHandlers,
    range: ByteRange = WHOLE_FILE,
    size?: number,
  ): Promise<{ readonly result: Promise<FileJobResult> }> {
    const segment = range.start > 0 || range.end !== null;
    const small = !segment && size !== undefined && size <= SMALL_FILE_BYTES;
    const worker = await this.acquire(
      segment ? SEGMENT_JOBS_PER_WORKER : small ? SMALL_FILE_JOBS_PER_WORKER : JOBS_PER_WORKER,
    );
    const seq = ++this.seq;
    const started = small
      ? this.startSmall(worker, { seq, path, params }, handlers)
      : this.start(worker, { op: 'file', seq, path, params, range }, [], handlers);
    const result = started.then((message): FileJobResult => {
      if (message.op === 'done') {
        return {
          ok: true,
          content: message.content,
          size: message.size,
          before: message.before,
          after: message.after,
        };
      }
      if (message.op === 'failed' && message.code !== undefined) {
        return { ok: false, code: message.code, message: message.message };
      }
      throw new Error(
        message.op === 'failed' ? message.message : `unexpected ${message.op} from a blob worker`,
      );
    });
    return { result };
  }

  /**
   * Restores a batch of files in a worker, one after the other (see worker-files.ts). The outer
   * promise resolves once a worker slot is taken; the inner one when every file is in place or
   * has failed, with one outcome per file.
   */
  async startRestore(
    files: readonly RestoreFile[],
  ): Promise<{ readonly result: Promise<readonly RestoreFileOutcome[]> }> {
    const worker = await this.acquire();
    const seq = ++this.seq;
    const result = this.start(worker, { op: 'restore', seq, files }, []).then((message) => {
      if (message.op === 'restored') return message.outcomes;
      throw new Error(
        message.op === 'failed' ? message.message : `unexpected ${message.op} from a blob worker`,
      );
    });
    return { result };
  }

  /** Reads and verifies a whole pack in a worker. */
  async verifyPack(
    packId: string,
    packPath: string,
    blobs: readonly StoredBlob[],
  ): Promise<{
    readonly result: Promise<
      Extract<FromWorker, { op: 'verified' }> | { readonly op: 'unreadable'; readonly message: string }
    >;
  }> {
    // One pack per worker at a time (read blob by blob, see worker-files.ts).
    const worker = await this.acquire(1);
    const seq = ++this.seq;
    const result = this.start(worker, { op: 'verify-pack', seq, packId, packPath, blobs }, []).then(
      (message) => {
        if (message.op === 'verified') return message;
        if (message.op === 'failed' && message.code !== undefined)
          return { op: 'unreadable' as const, message: message.message };
        throw new Error(
          message.op === 'failed' ? message.message : `unexpected ${message.op} from a blob worker`,
        );
      },
    );
    return { result };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
