import { lstat, realpath } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CodecName } from '../compress/codec.js';
import { BackupError, errnoCode } from '../errors.js';
import { removeStaleTempFiles } from '../repository/atomic-file.js';
import { loadIndex } from '../repository/index-store.js';
import { lockShared } from '../repository/lock.js';
import { currentLabel, type Repository } from '../repository/repository.js';
import { compareNames } from '../repository/tree.js';
import { MAX_STORED_ISSUES, type Snapshot, type SnapshotIssue } from '../repository/snapshot.js';
import { loadSnapshots, saveSnapshot } from '../repository/snapshot-store.js';
import { Archiver, type VirtualDir } from './archiver.js';
import { BlobSaver } from './blob-saver.js';
import { type DirCacheScope, usableDirs } from './dir-cache.js';
import { loadDirCache, saveDirCache } from './dir-cache-store.js';
import { indexOrphanPacks } from './pack-header.js';
import { PackReader } from './pack-reader.js';
import { type Progress, newProgress } from './progress.js';
import { scanTotals } from './scan.js';
import { Prefetcher } from './prefetch.js';
import { StatAhead } from './stat-ahead.js';
import { TreeLoader } from './tree-loader.js';
import { WorkerPool } from './worker-pool.js';

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly hostname?: string;
  /** Read every file, ignoring the parent snapshot's metadata. */
  readonly force?: boolean;
  readonly workers?: number;
  readonly codec?: CodecName;
  /** Live counters, updated while the backup runs. */
  readonly progress?: Progress;
  /** Walk the sources first for the totals behind the progress display's ETA (default true). */
  readonly scan?: boolean;
  /** Leaves out every path for which this returns true (a directory with all below it). */
  readonly exclude?: (absolutePath: string) => boolean;
  /**
   * A stable description of `exclude` (its patterns): backups share a directory cache only when
   * it is the same. A backup with `exclude` but without this does not use the cache.
   */
  readonly excludeSignature?: string;
  /** Large files are read in segments of this many bytes, in parallel (default SEGMENT_BYTES). */
  readonly segmentBytes?: number;
  /**
   * Listings of `paths` read ahead since before the repository was opened ({@link startStatAhead});
   * the backup takes it over and stops it. Default: started once the sources are resolved.
   */
  readonly statAhead?: StatAhead;
}

export interface BackupResult {
  readonly snapshotId: string;
  readonly snapshot: Snapshot;
  /** `partial` when files could not be read (listed in `snapshot.errors`). */
  readonly status: 'complete' | 'partial';
  /** Packs found from an interrupted earlier run and indexed now. */
  readonly recoveredPacks: number;
  /** Directories whose unchanged listing let the backup reuse their files without comparing them. */
  readonly dirsReused: number;
}

/** Absolute, normalised, without duplicates or paths inside other given paths. */
export async function resolveSources(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0)
    throw new BackupError('usage.invalid', 'nothing to back up: give at least one path');
  const absolute = [...new Set(paths.map((path) => resolve(path)))].sort();
  const kept: string[] = [];
  for (const path of absolute) {
    try {
      await lstat(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new BackupError('usage.invalid', `${path} does not exist`);
      throw error;
    }
    if (kept.some((outer) => isInside(path, outer))) continue;
    kept.push(path);
  }
  return kept;
}

function isInside(path: string, outer: string): boolean {
  const rel = relative(outer, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function virtualRoot(sources: readonly string[]): VirtualDir {
  const root: VirtualDir = { children: new Map() };
  for (const source of sources) {
    const parts = source.split(sep).filter((part) => part.length > 0);
    let dir = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        dir.children.set(part, source);
        return;
      }
      let next = dir.children.get(part);
      if (next === undefined || typeof next === 'string') {
        next = { children: new Map() };
        dir.children.set(part, next);
      }
      dir = next;
    });
  }
  return root;
}

/** The sources in the order the archiver walks them: depth-first, names sorted as in trees. */
function walkOrder(sources: readonly string[]): string[] {
  const parts = (path: string) => path.split(sep).filter((part) => part.length > 0);
  return [...sources].sort((a, b) => {
    const [pa, pb] = [parts(a), parts(b)];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const order = compareNames(pa[i]!, pb[i]!);
      if (order !== 0) return order;
    }
    return pa.length - pb.length;
  });
}

/** The directories a backup into `repoRoot` leaves out: the repository itself. */
async function repositorySkip(repoRoot: string): Promise<Set<string>> {
  const real = await realpath(repoRoot).catch(() => resolve(repoRoot));
  return new Set([real, resolve(repoRoot)]);
}

/**
 * Starts listing `paths` for a backup into the repository at `repoRoot` (see StatAhead). Called
 * before opening the repository, it lets the kernel read the inodes while the key is derived and
 * the index loaded. Undefined when `paths` are not valid sources (the backup then says why).
 */
export async function startStatAhead(
  paths: readonly string[],
  repoRoot: string,
): Promise<StatAhead | undefined> {
  try {
    return StatAhead.start(walkOrder(await resolveSources(paths)), await repositorySkip(repoRoot));
  } catch {
    return undefined;
  }
}

/** The directory cache a backup uses, or undefined for none (excludes without a signature). */
function dirCacheScope(
  host: string,
  sources: readonly string[],
  options: BackupOptions,
): DirCacheScope | undefined {
  if (options.exclude === undefined) return { host, sources, excludes: '' };
  return options.excludeSignature === undefined
    ? undefined
    : { host, sources, excludes: options.excludeSignature };
}

function capped(issues: readonly SnapshotIssue[]): SnapshotIssue[] {
  if (issues.length <= MAX_STORED_ISSUES) return [...issues];
  const omitted = issues.length - MAX_STORED_ISSUES;
  return [...issues.slice(0, MAX_STORED_ISSUES), { path: '', message: `${omitted} more not stored` }];
}

/**
 * Backs up `paths` into a new snapshot. Order of durability: packs, then the index files naming
 * them, then the snapshot; a run killed at any point leaves a consistent repository, and the
 * next run indexes the packs it left (so their data is not stored again). Holds a shared lock:
 * fails with repo.locked while a prune runs.
 */
export async function backup(repo: Repository, options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  let statAhead = options.statAhead;
  try {
    const lock = await lockShared(repo.root);
    try {
      const sources = await resolveSources(options.paths);
      if (sources.includes('/'))
        throw new BackupError('usage.invalid', 'backing up "/" as a whole is not supported');
      const skip = await repositorySkip(repo.root);
      statAhead ??= StatAhead.start(walkOrder(sources), skip);
      return await backupLocked(repo, options, { started, sources, skip, statAhead });
    } finally {
      await lock.release();
    }
  } finally {
    await statAhead?.close();
  }
}

/** What a locked backup walks: its sources, the paths it leaves out, the listings read ahead. */
interface Walk {
  readonly started: number;
  readonly sources: readonly string[];
  readonly skip: ReadonlySet<string>;
  readonly statAhead: StatAhead;
}

async function backupLocked(
  repo: Repository,
  options: BackupOptions,
  { started, sources, skip, statAhead }: Walk,
): Promise<BackupResult> {
  const host = options.hostname ?? osHostname();
  const progress = options.progress ?? newProgress();

  await removeStaleTempFiles(repo.root);
  const cacheScope = dirCacheScope(host, sources, options);
  // Both read many small files: their reads wait for the disk together.
  const [{ index, recovered, files: indexFiles, unreadable }, { snapshots }, cache] = await Promise.all([
    loadIndex(repo).then(async (loaded) => ({
      ...loaded,
      recovered: await indexOrphanPacks(repo, loaded.index),
    })),
    loadSnapshots(repo),
    cacheScope === undefined ? undefined : loadDirCache(repo, cacheScope),
  ]);
  const sameSources = (paths: readonly string[]) =>
    paths.length === sources.length && paths.every((p, i) => p === sources[i]);
  const parent = snapshots.findLast(
    ({ snapshot }) => snapshot.hostname === host && sameSources(snapshot.paths) && index.has(snapshot.tree),
  );

  const pool = new WorkerPool(repo.keys, {
    ...(options.workers === undefined ? {} : { size: options.workers }),
    ...(options.codec === undefined ? {} : { codec: options.codec }),
  });
  const reader = new PackReader(repo);
  const saver = new BlobSaver(repo, index, options.codec);
  const prefetch = new Prefetcher();
  const archiver = new Archiver({
    index,
    saver,
    trees: new TreeLoader(repo, index, reader),
    pool,
    progress,
    force: options.force ?? false,
    skip,
    statAhead,
    prefetch,
    ...(options.force === true ? {} : { cachedDirs: usableDirs(cache, new Set(indexFiles)) }),
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    ...(options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes }),
  });
  const scanDone = new AbortController();
  if (options.scan !== false) {
    void scanTotals(sources, skip, scanDone.signal).then(
      (totals) => {
        progress.filesTotal = totals.files;
        progress.bytesTotal = totals.bytes;
      },
      () => undefined,
    );
  }

  try {
    const tree = await archiver.saveRoot(virtualRoot(sources), parent?.snapshot.tree);
    await saver.finish();
    const { counters } = archiver;
    const snapshot: Snapshot = {
      v: 1,
      time: new Date(started).toISOString(),
      hostname: host,
      username: currentLabel().username,
      paths: sources,
      tree,
      ...(parent ? { parent: parent.id } : {}),
      summary: {
        ...counters,
        dataAdded: saver.stats.dataAdded,
        packBytesAdded: saver.stats.packBytesAdded,
        durationMs: Date.now() - started,
      },
      warnings: capped(archiver.warnings),
      errors: capped(archiver.errors),
    };
    const snapshotId = await saveSnapshot(repo, snapshot);
    if (cacheScope !== undefined) {
      // Only a speed-up: a cache that cannot be written leaves the next backup comparing files.
      await saveDirCache(repo, cacheScope, archiver.dirs, unreadable).catch(() => undefined);
    }
    return {
      snapshotId,
      snapshot,
      status: archiver.errors.length > 0 ? 'partial' : 'complete',
      recoveredPacks: recovered.indexed,
      dirsReused: archiver.dirsReused,
    };
  } catch (error) {
    await saver.abort();
    throw error;
  } finally {
    scanDone.abort();
    await reader.close();
    await Promise.all([pool.close(), prefetch.close()]);
  }
}
