import { readdir } from 'node:fs/promises';
import type { BlobId } from '../crypto/blob-id.js';
import type { BlobEntry } from '../repository/blob-entry.js';
import { isBackupError } from '../errors.js';
import { loadIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import type { MasterIndex } from '../repository/master-index.js';
import type { Repository } from '../repository/repository.js';
import { loadSnapshots } from '../repository/snapshot-store.js';
import { BlobDamaged } from './blob-codec.js';
import { readPackHeader } from './pack-header.js';
import { PackReader } from './pack-reader.js';
import { type Progress, newProgress } from './progress.js';
import { TreeLoader } from './tree-loader.js';
import { WorkerPool } from './worker-pool.js';

export interface CheckOptions {
  /** Decrypt and verify every blob of every pack, not only the structure. */
  readonly readData?: boolean;
  readonly workers?: number;
  readonly progress?: Progress;
  /**
   * The packs present and their sizes, when they are not this repository's own `data/` (a cloud
   * copy: its listing; the packs are then read through the repository's pack sources).
   */
  readonly packs?: ReadonlyMap<string, number>;
}

/** A file or directory of a snapshot that cannot be fully restored. */
export interface AffectedPath {
  readonly snapshot: string;
  readonly path: string;
  readonly reason: string;
}

export interface CheckResult {
  readonly status: 'ok' | 'problems';
  /** Inconsistencies and damage. Any of them makes the status `problems`. */
  readonly errors: readonly string[];
  /** Harmless findings, e.g. packs left by an interrupted backup. */
  readonly notes: readonly string[];
  readonly affected: readonly AffectedPath[];
  readonly stats: {
    readonly snapshots: number;
    readonly indexFiles: number;
    readonly packs: number;
    readonly blobs: number;
    readonly blobsRead: number;
    readonly damagedBlobs: number;
  };
}

interface TreeProblem {
  readonly path: string;
  readonly reason: string;
}

/** Where the last of a pack's indexed blobs ends: a shorter pack is truncated. */
function packEnd(entries: readonly BlobEntry[]): number {
  // A loop, not Math.max(...): spreading a pack of ~125,000 tiny blobs overflows the stack.
  let end = 0;
  for (const entry of entries) end = Math.max(end, entry.offset + entry.length);
  return end;
}

/** Looks at the packs against the index: missing or truncated packs, unindexed ones, and (with readData) every blob. */
async function checkPacks(
  repo: Repository,
  index: MasterIndex,
  options: CheckOptions,
  progress: Progress,
  errors: string[],
  notes: string[],
): Promise<{ unavailable: Map<BlobId, string>; blobsRead: number }> {
  const unavailable = new Map<BlobId, string>();
  const onDisk = options.packs ?? (await repo.listPacks());
  let blobsRead = 0;
  for (const packId of onDisk.keys()) {
    if (!index.hasPack(packId)) {
      notes.push(
        `pack ${packId.slice(0, 12)} is in no index (left by an interrupted backup; the next backup indexes it)`,
      );
    }
  }
  /** Indexed packs that are there and long enough: the ones whose blobs can be read. */
  const present: { packId: string; entries: readonly BlobEntry[]; size: number }[] = [];
  for (const [packId, entries] of index.packs()) {
    const size = onDisk.get(packId);
    if (size === undefined || size < packEnd(entries)) {
      errors.push(
        `pack ${packId.slice(0, 12)} is ${size === undefined ? 'missing' : 'truncated'} (${entries.length} blobs)`,
      );
      for (const entry of entries)
        unavailable.set(entry.id, size === undefined ? 'pack missing' : 'pack truncated');
    } else present.push({ packId, entries, size });
  }
  if (!options.readData) return { unavailable, blobsRead };
  // What will be read, for the progress display's percentage and ETA.
  progress.bytesTotal = present.reduce((sum, pack) => sum + pack.size, 0);
  const pool = new WorkerPool(repo.keys, options.workers === undefined ? {} : { size: options.workers });
  const running: Promise<void>[] = [];
  try {
    for (const { packId, entries, size } of present) {
      let packPath: string;
      try {
        packPath = await repo.locatePack(packId);
      } catch (error) {
        // Fetched from the cloud (check --cloud-copy) and not matching its name: damage to report.
        if (!isBackupError(error, 'cloud.damaged')) throw error;
        errors.push(`pack ${packId.slice(0, 12)} cannot be read: ${error.message}`);
        for (const entry of entries) unavailable.set(entry.id, 'pack unreadable');
        continue;
      }
      const blobs = entries.map((entry) => ({ ...entry, packPath }));
      const job = await pool.verifyPack(packId, packPath, blobs);
      const verified = job.result.then(async (result) => {
        if (result.op === 'unreadable') {
          errors.push(`pack ${packId.slice(0, 12)} cannot be read: ${result.message}`);
          for (const entry of entries) unavailable.set(entry.id, 'pack unreadable');
          return;
        }
        if (!result.intact)
          errors.push(`pack ${packId.slice(0, 12)} does not match its name (its bytes were altered)`);
        for (const { id, reason } of result.damaged) {
          unavailable.set(id, 'damaged data');
          errors.push(`pack ${packId.slice(0, 12)}: ${reason}`);
        }
        try {
          const header = await readPackHeader(repo, packId);
          if (
            header.length !== entries.length ||
            header.some((entry, i) => entry.id !== entries[i]!.id || entry.offset !== entries[i]!.offset)
          ) {
            errors.push(`pack ${packId.slice(0, 12)}: its header does not match the index`);
          }
        } catch (error) {
          errors.push(
            `pack ${packId.slice(0, 12)}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        blobsRead += entries.length;
        progress.filesDone++;
        progress.bytesDone += size;
      });
      verified.catch(() => undefined);
      running.push(verified);
    }
    await Promise.all(running);
  } finally {
    await pool.close();
  }
  return { unavailable, blobsRead };
}

/**
 * Verifies the repository: every index and snapshot file decrypts and matches its name, every
 * pack the index names exists and is long enough, every tree of every snapshot decrypts and
 * every blob it names is indexed. With `readData`, also decrypts and verifies every blob, and
 * lists which snapshot paths a damaged blob affects.
 */
export async function check(repo: Repository, options: CheckOptions = {}): Promise<CheckResult> {
  const progress = options.progress ?? newProgress();
  const errors: string[] = [];
  const notes: string[] = [];
  const { index, problems, files, unreadable } = await loadIndex(repo);
  errors.push(...problems);
  if (options.readData) progress.filesTotal = index.packCount;

  const { unavailable, blobsRead } = await checkPacks(repo, index, options, progress, errors, notes);

  const temps = await readdir(layout.tmpDir(repo.root)).catch(() => []);
  if (temps.length > 0) notes.push(`${temps.length} temporary file(s) in tmp/ (removed by the next backup)`);

  const { snapshots, problems: snapshotProblems } = await loadSnapshots(repo);
  errors.push(...snapshotProblems);
  const reader = new PackReader(repo);
  const trees = new TreeLoader(repo, index, reader, 64);
  const memo = new Map<BlobId, TreeProblem[]>();

  // Either type serves either use: a data blob and a tree with the same id hold the same bytes
  // (ids are keyed hashes of the plaintext; see tree-loader.ts).
  const blobProblem = (id: BlobId): string | undefined => {
    if (!index.has(id)) return 'data missing from the repository';
    return unavailable.get(id);
  };

  const checkTree = async (id: BlobId): Promise<TreeProblem[]> => {
    const known = memo.get(id);
    if (known) return known;
    const found: TreeProblem[] = [];
    const problem = blobProblem(id);
    if (problem) {
      found.push({ path: '', reason: `directory listing: ${problem}` });
    } else {
      try {
        for (const node of (await trees.load(id)).nodes) {
          if (node.type === 'file') {
            const bad = node.content.map((blob) => blobProblem(blob)).find((p) => p !== undefined);
            if (bad) found.push({ path: node.name, reason: bad });
          } else if (node.type === 'dir') {
            for (const sub of await checkTree(node.subtree)) {
              found.push({ path: sub.path ? `${node.name}/${sub.path}` : node.name, reason: sub.reason });
            }
          }
        }
      } catch (error) {
        if (!(error instanceof BlobDamaged)) throw error;
        found.push({ path: '', reason: `directory listing: ${error.message}` });
      }
    }
    memo.set(id, found);
    return found;
  };

  const affected: AffectedPath[] = [];
  try {
    for (const { id, snapshot } of snapshots) {
      for (const problem of await checkTree(snapshot.tree)) {
        affected.push({ snapshot: id, path: `/${problem.path}`, reason: problem.reason });
      }
    }
  } finally {
    await reader.close();
  }
  if (affected.length > 0) {
    const count = new Set(affected.map((a) => a.snapshot)).size;
    errors.push(`${affected.length} path(s) in ${count} snapshot(s) cannot be fully restored`);
  }

  return {
    status: errors.length > 0 ? 'problems' : 'ok',
    errors,
    notes,
    affected,
    stats: {
      snapshots: snapshots.length,
      indexFiles: files.length + unreadable.length,
      packs: index.packCount,
      blobs: index.blobCount,
      blobsRead,
      damagedBlobs: [...unavailable.values()].filter((reason) => reason === 'damaged data').length,
    },
  };
}
