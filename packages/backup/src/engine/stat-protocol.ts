import type { EntryStat } from './entry-stat.js';

/** What the stat worker is started with (its `workerData`). */
export interface StatWorkerSetup {
  /** Absolute paths, in the order the archiver walks them. */
  readonly sources: readonly string[];
  /** Directories not to descend into (the repository itself). */
  readonly skip: readonly string[];
  /**
   * Two Int32 slots: [0] entries the main thread has taken so far, [1] non-zero once the main
   * thread wants the worker to stop.
   */
  readonly control: SharedArrayBuffer;
  /** The worker pauses while more entries than this are listed but not yet taken. */
  readonly aheadLimit: number;
}

export const CONTROL_TAKEN = 0;
export const CONTROL_STOP = 1;

/** One directory, its names sorted as in trees, each with its `lstat` or the error code it gave. */
export interface DirListing {
  readonly dir: string;
  readonly names: readonly string[];
  readonly stats: readonly (EntryStat | string)[];
  /**
   * SHA-256 over the names and stats (see listingDigest): equal digests, equal listings. The
   * directory cache (dir-cache.ts) reuses a directory's tree while its digest stays the same.
   */
  readonly digest: string;
}

export type FromStatWorker =
  | { readonly op: 'listing'; readonly listing: DirListing }
  /** Reading the directory failed: the walk reads it itself (and reports why). */
  | { readonly op: 'unlisted'; readonly dir: string }
  | { readonly op: 'done' };

/** Entries a listing counts for in the read-ahead limit (its names, plus one for itself). */
export function listingWeight(listing: DirListing | undefined): number {
  return listing === undefined ? 1 : listing.names.length + 1;
}
