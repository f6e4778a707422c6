import { randomBytes } from 'node:crypto';
import { chmod, lchown, lstat, lutimes, mkdir, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { BlobId } from '../crypto/blob-id.js';
import { BackupError, errnoCode, isBackupError } from '../errors.js';
import { loadIndex } from '../repository/index-store.js';
import type { MasterIndex } from '../repository/master-index.js';
import type { Repository } from '../repository/repository.js';
import type { SnapshotIssue } from '../repository/snapshot.js';
import type { SnapshotRecord } from '../repository/snapshot-store.js';
import type { DirNode, FileNode, SymlinkNode, TreeNode } from '../repository/tree.js';
import { BlobDamaged } from './blob-codec.js';
import { PackReader } from './pack-reader.js';
import { type Progress, newProgress } from './progress.js';
import { TreeLoader } from './tree-loader.js';
import { WorkerPool } from './worker-pool.js';
import { released } from './reclaim.js';
import { secondsFromNs } from './worker-files.js';
import type { RestoreFile, RestoreFileOutcome, StoredBlob } from './worker-protocol.js';

/** Errno codes of a directory name the target file system refuses (the rest of the tree goes on). */
const REFUSED_NAME = new Set(['ENAMETOOLONG', 'EINVAL', 'EILSEQ']);

/**
 * Heap garbage per restore job and per blob reference in it on the main thread (job objects, the
 * message, promises; estimated from the heap's growth: ~35 MB over 20,000 files). Reporting it
 * to reclaim.ts took ~13 MB off the peak RSS of restoring the 1.5 GiB benchmark.
 */
const JOB_GARBAGE_BYTES = 2048;
const BLOB_REF_GARBAGE_BYTES = 512;

export interface RestoreOptions {
  /** Directory to restore into; the snapshot's absolute paths are recreated below it. */
  readonly target: string;
  /** Restore only these paths (as shown by `ls`) and what is below them. */
  readonly include?: readonly string[];
  readonly workers?: number;
  readonly progress?: Progress;
  /**
   * Also recompute each blob's keyed hash and compare it with its id (like `check --read-data`
   * does). Off by default: the AEAD tag already proves each blob is the one its id names.
   */
  readonly verify?: boolean;
  /** Where the blobs are, instead of the repository's own index (smart restore's merged view). */
  readonly index?: MasterIndex;
}

export interface RestoreResult {
  readonly status: 'complete' | 'partial';
  readonly files: number;
  readonly dirs: number;
  readonly symlinks: number;
  readonly bytes: number;
  /** Paths that could not be restored, with the reason (damaged or missing data). */
  readonly errors: readonly SnapshotIssue[];
}

/**
 * A worker job restores up to this many files or bytes: one message each way per batch instead
 * of per file (the benchmark's 20,000 small files cost the main thread ~1.8 s of CPU one by one).
 */
const BATCH_FILES = 32;
const BATCH_BYTES = 4 * 1024 * 1024;

type Selection = 'all' | 'descend' | 'none';

function normalizeInclude(path: string): string {
  const normalized = posix.resolve('/', path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

function selector(include: readonly string[] | undefined): (path: string) => Selection {
  if (!include || include.length === 0) return () => 'all';
  const wanted = include.map(normalizeInclude);
  if (wanted.includes('/')) return () => 'all';
  return (path) => {
    if (wanted.some((w) => path === w || path.startsWith(`${w}/`))) return 'all';
    if (wanted.some((w) => w.startsWith(`${path}/`))) return 'descend';
    return 'none';
  };
}

class Restorer {
  readonly errors: SnapshotIssue[] = [];
  counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  private readonly dirsToFinish: { path: string; node: DirNode }[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Files waiting to be handed to a worker together, and their total size. */
  private batch: { path: string; blobCount: number; file: RestoreFile }[] = [];
  private batchBytes = 0;
  private failure: Error | undefined;
  private readonly asRoot = process.getuid?.() === 0;
  /**
   * Temporary names are `.tresor-restore-<run>-<n>` next to `dest`: random per run, counted per
   * file (4 random bytes per file cost ~150 ms of the main thread over 20,000 files). Not derived
   * from the file's name, which may be as long as the file system allows (255 bytes).
   */
  private readonly runId = randomBytes(4).toString('hex');
  private tempNames = 0;

  constructor(
    private readonly repo: Repository,
    private readonly index: MasterIndex,
    private readonly pool: WorkerPool,
    private readonly trees: TreeLoader,
    private readonly select: (path: string) => Selection,
    private readonly target: string,
    private readonly progress: Progress,
    private readonly verify: boolean,
  ) {}

  async run(root: BlobId): Promise<void> {
    await this.walk(root, '/', 'descend');
    await this.flush();
    while (this.running.size > 0) await Promise.allSettled(this.running);
    if (this.failure) throw this.failure;
    // Directory metadata last, deepest first (the walk adds a directory after its subtree):
    // writing children changes a directory's mtime, and a mode without search permission would
    // stop its children's metadata from being applied.
    for (const { path, node } of this.dirsToFinish) await this.applyMetadata(path, node, false);
  }

  private async walk(treeId: BlobId, snapshotPath: string, selection: Selection): Promise<void> {
    let nodes: readonly TreeNode[];
    try {
      nodes = (await this.trees.load(treeId)).nodes;
    } catch (error) {
      if (!(error instanceof BlobDamaged)) throw error;
      this.errors.push({
        path: snapshotPath,
        message: `directory listing damaged or missing; its contents were not restored (${error.message})`,
      });
      return;
    }
    for (const node of nodes) {
      const path = posix.join(snapshotPath, node.name);
      const selected = selection === 'all' ? 'all' : this.select(path);
      if (selected === 'none') continue;
      const dest = join(this.target, path);
      switch (node.type) {
        case 'dir': {
          const made = await this.makeDirectory(dest);
          if (made !== true) {
            this.errors.push({
              path,
              message:
                made === false
                  ? 'not restored: the target exists and is not a directory'
                  : `not restored, nor anything below it (${made})`,
            });
            break;
          }
          this.counts.dirs++;
          await this.walk(node.subtree, path, selected);
          this.dirsToFinish.push({ path: dest, node });
          break;
        }
        case 'file':
          if (selected !== 'all') break;
          await this.startFile(node, path, dest);
          break;
        case 'symlink':
          if (selected !== 'all') break;
          await this.restoreSymlink(node, path, dest);
          break;
      }
    }
  }

  private async applyMetadata(dest: string, node: TreeNode, isSymlink: boolean): Promise<void> {
    if (this.asRoot) await lchown(dest, node.uid, node.gid).catch(() => undefined);
    const mtime = secondsFromNs(node.mtimeNs);
    if (isSymlink) {
      await lutimes(dest, mtime, mtime).catch(() => undefined);
      return;
    }
    await chmod(dest, node.mode);
    await utimes(dest, mtime, mtime);
  }

  /**
   * Creates `dest` as a real directory. An existing symbolic link there is refused: following it
   * could write outside the target.
   * @returns true, false when something else is in the way, or the errno code the file system
   * refused the name with (too long for it, say: a tree may hold names of up to 4096 bytes).
   */
  private async makeDirectory(dest: string): Promise<boolean | string> {
    try {
      try {
        await mkdir(dest);
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
      return (await lstat(dest)).isDirectory();
    } catch (error) {
      const code = errnoCode(error);
      // Only a name this file system refuses; a full disk or an I/O error still ends the restore.
      if (code === undefined || !REFUSED_NAME.has(code)) throw error;
      return code;
    }
  }

  private async restoreSymlink(node: SymlinkNode, path: string, dest: string): Promise<void> {
    try {
      await rm(dest, { force: true });
      await symlink(node.target, dest);
      await this.applyMetadata(dest, node, true);
      this.counts.symlinks++;
    } catch (error) {
      this.errors.push({
        path,
        message: `cannot create symbolic link (${errnoCode(error) ?? String(error)})`,
      });
    }
  }

  /**
   * Adds the file to the batch for the next worker job; hands the batch over once it is full.
   * Waits only for a free worker slot.
   */
  private async startFile(node: FileNode, path: string, dest: string): Promise<void> {
    if (this.failure) throw this.failure;
    const blobs: StoredBlob[] = [];
    for (const id of node.content) {
      const entry = this.index.get(id);
      if (!entry) {
        this.errors.push({ path, message: `not restored: blob ${id} is not in the index` });
        return;
      }
      let packPath: string;
      try {
        packPath = await this.repo.locatePack(entry.packId);
      } catch (error) {
        // A pack fetched from the cloud that does not match its name: damaged data like any other.
        if (!isBackupError(error, 'cloud.damaged')) throw error;
        this.errors.push({ path, message: `not restored: ${error.message}` });
        return;
      }
      blobs.push({ ...entry, packPath });
    }
    this.batch.push({
      path,
      blobCount: blobs.length,
      file: {
        dest,
        temp: join(dirname(dest), `.tresor-restore-${this.runId}-${++this.tempNames}`),
        blobs,
        mode: node.mode,
        mtimeNs: node.mtimeNs,
        uid: node.uid,
        gid: node.gid,
        chown: this.asRoot,
        checkIds: this.verify,
      },
    });
    this.batchBytes += node.size;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) await this.flush();
  }

  /** Hands the batched files to a worker; their outcomes are counted when it is done. */
  private async flush(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchBytes = 0;
    const job = await this.pool.startRestore(batch.map(({ file }) => file));
    const done = job.result.then(
      (outcomes) => {
        outcomes.forEach((outcome, i) => {
          this.count(batch[i]!.path, outcome);
        });
      },
      (error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    this.running.add(done);
    void done.finally(() => {
      this.running.delete(done);
      // The job's objects, its message and promises: garbage that outlives young collections.
      let blobRefs = 0;
      for (const { blobCount } of batch) blobRefs += blobCount;
      released(JOB_GARBAGE_BYTES * batch.length + BLOB_REF_GARBAGE_BYTES * blobRefs);
    });
  }

  private count(path: string, outcome: RestoreFileOutcome): void {
    if (outcome.ok) {
      this.counts.files++;
      this.counts.bytes += outcome.bytes;
      this.progress.filesDone++;
      this.progress.bytesDone += outcome.bytes;
      this.progress.bytesProcessed += outcome.bytes;
    } else {
      this.errors.push({
        path,
        message: outcome.damaged
          ? `not restored: ${outcome.message}`
          : `not restored (${outcome.code ?? 'error'})`,
      });
    }
  }
}

/**
 * The data blobs a restore of the `include` paths (everything when empty) reads, by the same
 * selection as {@link restore}; a damaged listing is skipped (restore reports it). For fetching
 * only those from the cloud before a partial restore.
 */
export async function blobsToRestore(
  repo: Repository,
  index: MasterIndex,
  root: BlobId,
  include: readonly string[] | undefined,
): Promise<Set<BlobId>> {
  const select = selector(include);
  const reader = new PackReader(repo);
  const trees = new TreeLoader(repo, index, reader, 16);
  const blobs = new Set<BlobId>();
  const walk = async (treeId: BlobId, snapshotPath: string, selection: Selection): Promise<void> => {
    let nodes: readonly TreeNode[];
    try {
      nodes = (await trees.load(treeId)).nodes;
    } catch (error) {
      if (error instanceof BlobDamaged) return;
      throw error;
    }
    for (const node of nodes) {
      const path = posix.join(snapshotPath, node.name);
      const selected = selection === 'all' ? 'all' : select(path);
      if (selected === 'none') continue;
      if (node.type === 'dir') await walk(node.subtree, path, selected);
      else if (node.type === 'file' && selected === 'all') for (const id of node.content) blobs.add(id);
    }
  };
  try {
    await walk(root, '/', 'descend');
  } finally {
    await reader.close();
  }
  return blobs;
}

/**
 * Restores a snapshot (or the included paths of it) below `target`: contents, modes, mtimes and
 * symbolic links (and owners when run as root). Files whose data is damaged or missing are
 * listed and skipped; everything else is restored, and the status says `partial`.
 */
export async function restore(
  repo: Repository,
  record: SnapshotRecord,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const pool = new WorkerPool(repo.keys, options.workers === undefined ? {} : { size: options.workers });
  // Restoring needs the threads: they load their code while this thread loads the index (a cold
  // restore of the benchmark set otherwise waited ~0.2 s for them after the index was in).
  pool.warmUp();
  const reader = new PackReader(repo);
  try {
    const { index, problems } = options.index
      ? { index: options.index, problems: [] }
      : await loadIndex(repo);
    if (index.blobCount === 0 && problems.length > 0) {
      throw new BackupError('repo.damaged', `the repository index cannot be read: ${problems.join('; ')}`);
    }
    const progress = options.progress ?? newProgress();
    const select = selector(options.include);
    if (!options.include?.length) {
      progress.filesTotal = record.snapshot.summary.files;
      progress.bytesTotal = record.snapshot.summary.bytes;
    }
    await mkdir(options.target, { recursive: true });
    const restorer = new Restorer(
      repo,
      index,
      pool,
      // Restore reads each listing once, depth-first: a cache only holds the path down (16 levels
      // cover practice trees; a deeper one is merely re-read). The default 256 decoded listings
      // cost tens of MB on a large tree.
      new TreeLoader(repo, index, reader, 16),
      select,
      options.target,
      progress,
      options.verify ?? false,
    );
    await restorer.run(record.snapshot.tree);
    return {
      status: restorer.errors.length > 0 ? 'partial' : 'complete',
      ...restorer.counts,
      errors: restorer.errors,
    };
  } finally {
    await reader.close();
    await pool.close();
  }
}
