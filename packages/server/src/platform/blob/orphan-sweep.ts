import { PeriodicJob } from '../jobs/periodic-job.js';
import type { BlobKey, BlobStore, StoredBlobInfo } from './blob-store.js';
import { formatBytes } from './format-bytes.js';

/**
 * What the sweep needs from the database (implemented in `platform/db/orphan-sweep.store.pg.ts`):
 * the blob locks every writer and deleter of a blob takes, and the reference counts.
 */
export interface OrphanSweepStore {
  /**
   * Runs `work` in one transaction that holds the locks of `keys` until it ends, passing it those
   * of `keys` that any practice or module refers to (counted while the locks are held).
   */
  whileLocked<T>(keys: readonly BlobKey[], work: (referenced: ReadonlySet<string>) => Promise<T>): Promise<T>;
  /** Whether anything refers to any blob at all. */
  anyReferenced(): Promise<boolean>;
}

const HOUR_MS = 60 * 60 * 1000;
/** Blobs written more recently than this are left alone (default grace period). */
export const DEFAULT_ORPHAN_GRACE_MS = 24 * HOUR_MS;
/** Keys locked and checked per transaction (default). */
export const DEFAULT_ORPHAN_BATCH = 100;

export interface OrphanSweepOptions {
  /** Blobs written less than this long ago are not checked (default 24 h). */
  readonly graceMs?: number;
  /** Old blobs locked and checked per transaction (default 100). */
  readonly batchSize?: number;
  /** Wall-clock time in ms (blob modification times are wall-clock times); `Date.now` by default. */
  readonly now?: () => number;
  /** Asked before each blob: true ends the pass early (the app is closing). */
  readonly stopped?: () => boolean;
}

export interface OrphanSweepSummary {
  /** Blobs the store listed, and their bytes. */
  readonly blobs: number;
  readonly bytes: number;
  /** Blobs written within the grace period: not checked. */
  readonly young: number;
  /** Blobs past the grace period that something refers to: kept. */
  readonly referenced: number;
  /** Orphans deleted, and their bytes. */
  readonly deleted: number;
  readonly deletedBytes: number;
  /** False when the pass was stopped before it listed every blob. */
  readonly complete: boolean;
  /**
   * True when the database refers to no blob at all while old blobs exist: the pass stopped
   * without deleting anything (a wrong or newly created database must not empty the store).
   */
  readonly noReferences: boolean;
}

/**
 * Deletes blobs nothing refers to: those a crash left between their commit to the blob store and
 * the transaction recording them, or whose clean-up failed (the database gone). Every listed blob
 * written more than the grace period ago is checked, in batches: in one transaction that holds
 * the batch's blob locks, the batch's references are read in one query, and the unreferenced
 * blobs are deleted before the locks are released. A writer records a blob only after checking,
 * under the same lock, that it still exists, so a blob deleted here while its writer had not yet
 * recorded it fails that writer with a retryable conflict, never leaves a row without its blob;
 * the grace period keeps the sweep away from blobs being uploaded and recorded right now. When
 * the database refers to no blob at all, nothing is deleted (see {@link OrphanSweepSummary}).
 */
export async function sweepOrphanBlobs(
  blobs: BlobStore,
  store: OrphanSweepStore,
  options: OrphanSweepOptions = {},
): Promise<OrphanSweepSummary> {
  const graceMs = options.graceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_ORPHAN_BATCH);
  const now = options.now ?? Date.now;
  const old = (info: StoredBlobInfo) => info.modifiedAt.getTime() <= now() - graceMs;
  const counts = { blobs: 0, bytes: 0, young: 0, referenced: 0, deleted: 0, deletedBytes: 0 };

  const sweepBatch = (keys: readonly BlobKey[]) =>
    store.whileLocked(keys, async (referenced) => {
      const unreferenced = keys.filter((key) => !referenced.has(key));
      counts.referenced += keys.length - unreferenced.length;
      // Looked at again under the lock: the same bytes stored again since the listing renew the
      // blob, and its writer is about to record it.
      const found = await settleAll(unreferenced.map((key) => blobs.head(key)));
      const orphans = found.filter((info): info is StoredBlobInfo => info !== undefined);
      const renewed = orphans.filter((info) => !old(info));
      counts.young += renewed.length;
      const gone = orphans.filter(old);
      // Every deletion ends before the transaction does (and so before the locks are released).
      const deleted = await settleAll(gone.map((info) => blobs.delete(info.key)));
      gone.forEach((info, i) => {
        if (deleted[i] === true) {
          counts.deleted++;
          counts.deletedBytes += info.size;
        }
      });
    });

  let batch: BlobKey[] = [];
  let checkedDatabase = false;
  for await (const key of blobs.list()) {
    if (options.stopped?.() === true) return { ...counts, complete: false, noReferences: false };
    const info = await blobs.head(key);
    if (info === undefined) continue; // deleted since it was listed
    counts.blobs++;
    counts.bytes += info.size;
    if (!old(info)) {
      counts.young++;
      continue;
    }
    if (!checkedDatabase) {
      if (!(await store.anyReferenced())) return { ...counts, complete: false, noReferences: true };
      checkedDatabase = true;
    }
    batch.push(key);
    if (batch.length >= batchSize) {
      await sweepBatch(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sweepBatch(batch);
  return { ...counts, complete: true, noReferences: false };
}

/** Like `Promise.all`, but waits for every promise to settle before it rejects with the first failure. */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** One line for an operator (the CLI), e.g. "Deleted 2 orphaned blobs (1.5 MiB); …". */
export function describeOrphanSweep(summary: OrphanSweepSummary, graceMs: number): string {
  if (summary.noReferences) {
    return 'Deleted nothing: the database refers to no blob at all (is DATABASE_URL the right database?).\n';
  }
  const grace = `${Number((graceMs / HOUR_MS).toFixed(3))} h`;
  return (
    `Deleted ${summary.deleted} orphaned blob${summary.deleted === 1 ? '' : 's'} (${formatBytes(summary.deletedBytes)}); ` +
    `checked ${summary.blobs} blob${summary.blobs === 1 ? '' : 's'} (${formatBytes(summary.bytes)}): ` +
    `${summary.referenced} referenced, ${summary.young} written within the last ${grace} (not checked).` +
    `${summary.complete ? '' : ' Stopped before the end.'}\n`
  );
}

/** The part of a pino logger the sweeper uses. */
export interface SweeperLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface OrphanBlobSweeperOptions extends Omit<OrphanSweepOptions, 'stopped'> {
  readonly logger: SweeperLogger;
  /** Time between passes (default one day). */
  readonly intervalMs?: number;
  /** Delay of the first pass after `start` (default 0: at startup; it runs in the background). */
  readonly firstRunAfterMs?: number;
}

/**
 * Runs {@link sweepOrphanBlobs} at startup and then on a timer (daily by default). Passes never
 * overlap; each logs a summary (counts and bytes). A pass that fails is logged and tried again
 * with the next one; it never takes the server down.
 */
export class OrphanBlobSweeper {
  readonly #job: PeriodicJob<OrphanSweepSummary>;

  constructor(
    private readonly blobs: BlobStore,
    private readonly store: OrphanSweepStore,
    private readonly options: OrphanBlobSweeperOptions,
  ) {
    this.#job = new PeriodicJob({
      pass: (stopped) => this.#pass(stopped),
      logger: options.logger,
      failureMessage: 'orphaned blob sweep failed; will retry',
      firstRunAfterMs: options.firstRunAfterMs ?? 0,
      intervalMs: options.intervalMs ?? 24 * HOUR_MS,
    });
  }

  start(): void {
    this.#job.start();
  }

  /** Stops the timer and waits for a pass in progress (which ends at its next blob). */
  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** One pass now (after any pass in progress); rejects if it fails. */
  runOnce(): Promise<OrphanSweepSummary> {
    return this.#job.runOnce();
  }

  async #pass(stopped: () => boolean): Promise<OrphanSweepSummary> {
    const started = Date.now();
    const summary = await sweepOrphanBlobs(this.blobs, this.store, { ...this.options, stopped });
    const details = { ...summary, durationMs: Date.now() - started };
    if (summary.noReferences) {
      this.options.logger.warn(
        details,
        'orphaned blob sweep deleted nothing: the database refers to no blob',
      );
    } else {
      this.options.logger.info(details, 'orphaned blob sweep done');
    }
    return summary;
  }
}
