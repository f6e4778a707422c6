import { lstatSync } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { chunkerProfileFor } from '../chunker/profile.js';
import type { BlobId } from '../crypto/blob-id.js';
import { errnoCode } from '../errors.js';
import type { MasterIndex } from '../repository/master-index.js';
import type { SnapshotIssue } from '../repository/snapshot.js';
import {
  type DirNode,
  type FileNode,
  type SymlinkNode,
  type TreeNode,
  compareNames,
  encodeTree,
} from '../repository/tree.js';
import type { BlobSaver } from './blob-saver.js';
import { childPath } from './child-path.js';
import type { CachedDir } from './dir-cache.js';
import { type EntryStat, entryStat } from './entry-stat.js';
import { joinSegments, segmentRanges } from './file-segments.js';
import type { Progress } from './progress.js';
import type { Prefetcher } from './prefetch.js';
import type { DirListing } from './stat-protocol.js';
import type { StatAhead } from './stat-ahead.js';
import type { TreeLoader } from './tree-loader.js';
import type { FileJobHandlers, WorkerPool } from './worker-pool.js';
import { SMALL_FILE_BYTES } from './worker-protocol.js';

/** Directory listings read ahead at most (names only: a few MiB even for huge directories). */
const READ_AHEAD_DIRS = 64;

/** A node whose blobs may still be on their way to a pack. Undefined: the entry was skipped. */
type PendingNode = Promise<TreeNode | undefined>;

/**
 * Wraps a node, known or pending, so that awaiting `dispatch` (reading done) does not also await
 * the storing (promises flatten when returned from async functions; objects do not). Known nodes
 * (an unchanged file: most of a walk) stay plain values, not promises.
 */
interface Dispatched {
  readonly node: NodeSoon;
}

/** A node now (or undefined: skipped), or one on its way. */
type NodeSoon = PendingNode | TreeNode | undefined;

const dispatched = (node: NodeSoon): Dispatched => ({ node });

const NOTHING: Dispatched = { node: undefined };

/** The directories above the backed-up paths, built from the paths themselves. */
export interface VirtualDir {
  readonly children: Map<string, VirtualDir | string>;
}

export interface ArchiveCounters {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  filesNew: number;
  filesChanged: number;
  filesUnchanged: number;
}

export interface ArchiverDeps {
  readonly index: MasterIndex;
  readonly saver: BlobSaver;
  readonly trees: TreeLoader;
  readonly pool: WorkerPool;
  readonly progress: Progress;
  /** Read every file even if its metadata is unchanged. */
  readonly force: boolean;
  /** Absolute paths never to back up (the repository itself). */
  readonly skip: ReadonlySet<string>;
  /** Paths left out on purpose (exclude patterns); a matching directory is left out whole. */
  readonly exclude?: (absolutePath: string) => boolean;
  /** Segment length for large files (see file-segments.ts). */
  readonly segmentBytes?: number;
  /** Directory listings with their entries' lstat, read ahead on another thread (optional). */
  readonly statAhead?: StatAhead;
  /** The directory cache of the last backup of these sources, by path (see dir-cache.ts). */
  readonly cachedDirs?: ReadonlyMap<string, CachedDir>;
  /** Reads the small files about to be read once ahead, into the page cache (optional). */
  readonly prefetch?: Prefetcher;
}

/**
 * Walks the sources depth-first and turns them into trees and data blobs. Each file that needs
 * reading becomes a job in the worker pool (read, chunk, hash, compress, encrypt) while the walk
 * goes on; the pool's job slots bound how much is in flight. A file whose size, mtime, ctime and inode equal its node
 * in the parent snapshot is not read at all: its blob list is reused.
 */
export class Archiver {
  readonly counters: ArchiveCounters = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    bytes: 0,
    filesNew: 0,
    filesChanged: 0,
    filesUnchanged: 0,
  };
  readonly warnings: SnapshotIssue[] = [];
  readonly errors: SnapshotIssue[] = [];
  /**
   * The directory cache for the next backup: every directory listed by the stat worker whose
   * subtree gave no warning or error, by path.
   */
  readonly dirs = new Map<string, CachedDir>();
  /** Directories whose files were taken over from the directory cache without looking at them. */
  dirsReused = 0;
  private failure: Error | undefined;

  /** The saver's file-job handlers, counting progress per batch (so big files move the bar too). */
  private readonly progressHandlers: FileJobHandlers;

  constructor(private readonly deps: ArchiverDeps) {
    const { saver, progress } = deps;
    this.progressHandlers = {
      decide: (ids, bytes) => {
        progress.bytesDone += bytes;
        progress.bytesProcessed += bytes;
        return saver.handlers.decide(ids, bytes);
      },
      store: (blobs) => saver.handlers.store(blobs),
      storeUnasked: (blobs, bytes) => {
        progress.bytesDone += bytes;
        progress.bytesProcessed += bytes;
        return saver.handlers.storeUnasked(blobs, bytes);
      },
    };
  }

  private warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  private error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** Warnings and errors so far: unchanged across a directory, its subtree gave none. */
  private issueCount(): number {
    return this.warnings.length + this.errors.length;
  }

  /** A pending node's failure stops the walk; a known node passes through. */
  private track({ node }: Dispatched): NodeSoon {
    if (node instanceof Promise) {
      node.catch((error: unknown) => {
        this.failure ??= asError(error);
      });
    }
    return node;
  }

  /** Saves the tree above and below the sources. @returns the root tree id. */
  async saveRoot(root: VirtualDir, parentRoot: BlobId | undefined): Promise<BlobId> {
    const tree = await this.saveVirtual(root, '/', parentRoot);
    if (this.failure !== undefined) throw this.failure;
    return tree;
  }

  private async parentNodes(
    subtree: BlobId | undefined,
    path: string,
  ): Promise<Map<string, TreeNode> | undefined> {
    if (subtree === undefined) return undefined;
    try {
      const tree = await this.deps.trees.load(subtree);
      // The walk goes into these directories next: read their listings meanwhile.
      this.deps.trees.prefetch(subtreesOf(tree.nodes));
      if (this.deps.statAhead === undefined) this.prefetchNames(path, tree.nodes);
      return new Map(tree.nodes.map((node) => [node.name, node]));
    } catch (error) {
      // A damaged parent tree only means that the files below are read again.
      this.warn(
        path,
        `the previous snapshot's listing is unreadable, files are read again (${asError(error).message})`,
      );
      return undefined;
    }
  }

  private async saveVirtual(dir: VirtualDir, path: string, parentTree: BlobId | undefined): Promise<BlobId> {
    const parent = await this.parentNodes(parentTree, path);
    const pending: NodeSoon[] = [];
    for (const [name, child] of [...dir.children].sort(([a], [b]) => compareNames(a, b))) {
      const entryPath = childPath(path, name);
      const parentNode = parent?.get(name);
      if (typeof child === 'string') {
        pending.push(this.track(await this.dispatch(entryPath, name, parentNode)));
        continue;
      }
      const stats = await lstat(entryPath, { bigint: true }).then(entryStat, () => undefined);
      const subtree = await this.saveVirtual(
        child,
        entryPath,
        parentNode?.type === 'dir' ? parentNode.subtree : undefined,
      );
      pending.push(dirNode(name, stats, subtree));
    }
    return this.saveTree(await settled(pending), parent, parentTree);
  }

  /**
   * The id of the tree of `nodes`. When they equal the parent snapshot's listing node for node,
   * the tree would encode to the same bytes: its id is reused without encoding or hashing it.
   */
  private async saveTree(
    nodes: readonly TreeNode[],
    parent: ReadonlyMap<string, TreeNode> | undefined,
    parentTree: BlobId | undefined,
  ): Promise<BlobId> {
    if (
      parentTree !== undefined &&
      parent?.size === nodes.length &&
      nodes.every((n) => sameNode(n, parent.get(n.name)))
    ) {
      return parentTree;
    }
    return this.deps.saver.saveTree(encodeTree(nodes));
  }

  /** Starts saving one entry. Resolves once it has been read; the inner promise once it is stored. */
  private async dispatch(
    path: string,
    name: string,
    parentNode: TreeNode | undefined,
    known?: EntryStat | string,
  ): Promise<Dispatched> {
    const result = await this.dispatchEntry(path, name, parentNode, known);
    // A directory took its read-ahead listing; anything else (a directory that became a file, or
    // one left out) frees its slot.
    if (this.readAhead.size > 0) this.readAhead.delete(path);
    return result;
  }

  private async dispatchEntry(
    path: string,
    name: string,
    parentNode: TreeNode | undefined,
    known: EntryStat | string | undefined,
  ): Promise<Dispatched> {
    if (this.failure !== undefined) throw this.failure;
    if (this.deps.skip.has(path)) {
      this.warn(path, 'skipped: this is the repository itself');
      return NOTHING;
    }
    if (this.deps.exclude?.(path)) return NOTHING;
    let stats: EntryStat;
    if (typeof known === 'object') stats = known;
    else {
      try {
        // Synchronous: walking the benchmark's 20,000 entries with a cold page cache took 320 ms
        // this way and 450 ms through the thread pool (whose round trips cost more than the call).
        // An error the stat worker met is met again here, and reported.
        stats = entryStat(lstatSync(path, { bigint: true }));
      } catch (error) {
        this.reportOpenError(path, error);
        return NOTHING;
      }
    }
    if (stats.kind === 'dir') return this.dispatchDir(path, name, stats, parentNode);
    if (stats.kind === 'file') return this.dispatchFile(path, name, stats, parentNode);
    if (stats.kind === 'symlink') {
      try {
        const target = await readlink(path);
        this.counters.symlinks++;
        return dispatched({ ...metadata(name, stats), type: 'symlink', target });
      } catch (error) {
        this.reportOpenError(path, error);
        return NOTHING;
      }
    }
    this.warn(path, 'skipped: not a regular file, directory or symbolic link');
    return NOTHING;
  }

  /** Directory listings read ahead (see prefetchNames), by path; each is taken once. */
  private readonly readAhead = new Map<string, Promise<string[]>>();

  /**
   * Starts reading the names in the subdirectories the previous snapshot had below `path`: the
   * walk reaches them soon, and their reads then overlap with this directory's work instead of
   * waiting one after another (a cold walk of 207 directories spent ~0.1 s waiting for them).
   */
  private prefetchNames(path: string, nodes: readonly TreeNode[]): void {
    for (const node of nodes) {
      if (node.type !== 'dir' || this.readAhead.size >= READ_AHEAD_DIRS) continue;
      const child = childPath(path, node.name);
      const names = readdir(child);
      names.catch(() => undefined); // reported when the walk reaches it
      this.readAhead.set(child, names);
    }
  }

  private namesIn(path: string): Promise<string[]> {
    const ahead = this.readAhead.get(path);
    if (ahead === undefined) return readdir(path);
    this.readAhead.delete(path);
    return ahead;
  }

  private reportOpenError(path: string, error: unknown): void {
    const code = errnoCode(error);
    if (code === 'ENOENT') this.warn(path, 'vanished before it could be read');
    else if (code === 'EACCES' || code === 'EPERM') this.error(path, 'permission denied');
    else if (code !== undefined) this.error(path, `cannot be read (${code})`);
    else throw error;
  }

  private async dispatchDir(
    path: string,
    name: string,
    stats: EntryStat,
    parentNode: TreeNode | undefined,
  ): Promise<Dispatched> {
    this.counters.dirs++;
    const issuesBefore = this.issueCount();
    const listing = await this.deps.statAhead?.take(path);
    const cached = listing === undefined ? undefined : this.deps.cachedDirs?.get(path);
    if (listing !== undefined && cached?.digest === listing.digest && this.deps.index.has(cached.tree)) {
      return this.dispatchCachedDir(path, name, stats, listing, cached, issuesBefore);
    }
    let names: readonly string[] = listing?.names ?? [];
    if (listing === undefined) {
      try {
        names = (await this.namesIn(path)).sort(compareNames);
      } catch (error) {
        this.reportOpenError(path, error);
      }
    }
    const parentTree = parentNode?.type === 'dir' ? parentNode.subtree : undefined;
    const parent = await this.parentNodes(parentTree, path);
    const hinted = this.hintReads(path, listing, parent);
    const pending: NodeSoon[] = [];
    for (const [i, child] of names.entries()) {
      pending.push(
        this.track(await this.dispatch(childPath(path, child), child, parent?.get(child), listing?.stats[i])),
      );
    }
    if (hinted.length > 0) this.deps.prefetch?.forget(hinted);
    return dispatched(
      (async () => {
        const nodes = await settled(pending);
        const tree = await this.saveTree(nodes, parent, parentTree);
        if (listing !== undefined) this.remember(path, listing, tree, nodes, issuesBefore);
        return dirNode(name, stats, tree);
      })(),
    );
  }

  /**
   * Tells the prefetcher which small files of a listed directory will be read (new or changed,
   * not excluded), in the order they will be dispatched. @returns their paths
   */
  private hintReads(
    path: string,
    listing: DirListing | undefined,
    parent: ReadonlyMap<string, TreeNode> | undefined,
  ): string[] {
    const { prefetch, skip, exclude } = this.deps;
    if (prefetch === undefined || listing === undefined) return [];
    const paths: string[] = [];
    for (const [i, name] of listing.names.entries()) {
      const stats = listing.stats[i];
      if (typeof stats !== 'object' || stats.kind !== 'file') continue;
      if (stats.size === 0 || stats.size > SMALL_FILE_BYTES) continue;
      // Unchanged files are not read (their index check is left to dispatchFile).
      if (this.unchangedSinceParent(parent?.get(name), stats)) continue;
      const child = childPath(path, name);
      if (skip.has(child) || exclude?.(child)) continue;
      paths.push(child);
    }
    prefetch.hint(paths);
    return paths;
  }

  /**
   * A directory whose listing equals the cached one: its files and symlinks are as they were, so
   * only its subdirectories are walked. When they too are unchanged the cached tree id is the
   * directory's; otherwise the cached tree is loaded and given the new subtree ids.
   */
  private async dispatchCachedDir(
    path: string,
    name: string,
    stats: EntryStat,
    listing: DirListing,
    cached: CachedDir,
    issuesBefore: number,
  ): Promise<Dispatched> {
    this.dirsReused++;
    const previousSubtrees = new Map(cached.subdirs);
    const pending: NodeSoon[] = [];
    for (const [i, child] of listing.names.entries()) {
      const known = listing.stats[i];
      if (typeof known !== 'object' || known.kind !== 'dir') continue;
      const previous = previousSubtrees.get(child);
      pending.push(
        this.track(
          await this.dispatch(
            childPath(path, child),
            child,
            previous && dirNode(child, known, previous),
            known,
          ),
        ),
      );
    }
    return dispatched(
      (async () => {
        const subdirs = await settled(pending);
        const nodes = await this.cachedTreeNodes(path, listing, cached, subdirs);
        const tree = nodes === undefined ? cached.tree : await this.deps.saver.saveTree(encodeTree(nodes));
        if (nodes === undefined) {
          this.countReused(cached);
          if (this.issueCount() === issuesBefore) this.dirs.set(path, cached);
        } else this.remember(path, listing, tree, nodes, issuesBefore);
        return dirNode(name, stats, tree);
      })(),
    );
  }

  /**
   * The nodes of a cached directory whose subdirectories changed (undefined: none did, the cached
   * tree stands): the cached tree's files and symlinks with the new subdirectory nodes. Should the
   * cached tree be unreadable, its files and symlinks are read again.
   */
  private async cachedTreeNodes(
    path: string,
    listing: DirListing,
    cached: CachedDir,
    subdirs: readonly TreeNode[],
  ): Promise<TreeNode[] | undefined> {
    const unchanged =
      subdirs.length === cached.subdirs.length &&
      subdirs.every(
        (node, i) =>
          node.type === 'dir' &&
          node.name === cached.subdirs[i]![0] &&
          node.subtree === cached.subdirs[i]![1],
      );
    if (unchanged) return undefined;
    let others: TreeNode[];
    try {
      const tree = await this.deps.trees.load(cached.tree);
      others = tree.nodes.filter((node) => node.type !== 'dir');
      this.countReused(tally(others));
    } catch (error) {
      this.warn(path, `the cached listing is unreadable, files are read again (${asError(error).message})`);
      const pending: NodeSoon[] = [];
      for (const [i, child] of listing.names.entries()) {
        const known = listing.stats[i];
        if (typeof known === 'object' && known.kind === 'dir') continue;
        pending.push(this.track(await this.dispatch(childPath(path, child), child, undefined, known)));
      }
      others = await settled(pending);
    }
    return [...others, ...subdirs].sort((a, b) => compareNames(a.name, b.name));
  }

  /** Records a directory for the next backup's cache, if its subtree gave no warning or error. */
  private remember(
    path: string,
    listing: DirListing,
    tree: BlobId,
    nodes: readonly TreeNode[],
    issuesBefore: number,
  ): void {
    if (this.issueCount() !== issuesBefore) return;
    this.dirs.set(path, { digest: listing.digest, tree, ...tally(nodes) });
  }

  private async dispatchFile(
    path: string,
    name: string,
    stats: EntryStat,
    parentNode: TreeNode | undefined,
  ): Promise<Dispatched> {
    const { progress, index } = this.deps;
    progress.currentPath = path;
    const previous = parentNode?.type === 'file' ? parentNode : undefined;
    if (this.unchangedSinceParent(previous, stats) && previous.content.every((id) => index.has(id))) {
      this.countFile('unchanged', previous.size);
      // Size, times and inode are equal (unchanged); the node itself is reused when the rest is too.
      return dispatched(
        sameOwnerAndMode(previous, stats) ? previous : { ...previous, ...metadata(name, stats) },
      );
    }
    const params = chunkerProfileFor(name, stats.size);
    const jobs = [];
    for (const range of segmentRanges(stats.size, this.deps.segmentBytes)) {
      const job = await this.deps.pool.startFile(path, params, this.progressHandlers, range, stats.size);
      this.deps.prefetch?.reading(path);
      job.result.catch(() => undefined); // awaited below; must not count as unhandled meanwhile
      jobs.push(job);
    }
    return dispatched(
      Promise.all(jobs.map((job) => job.result)).then((results): FileNode | undefined => {
        const result = joinSegments(results);
        if (!result.ok) {
          if (result.code === 'ELOOP')
            this.warn(path, 'became a symbolic link while being backed up; skipped');
          else this.reportOpenError(path, Object.assign(new Error(result.message), { code: result.code }));
          return undefined;
        }
        const { before, after, size } = result;
        if (!before.isFile) {
          this.warn(path, 'is no longer a regular file; skipped');
          return undefined;
        }
        if (
          after.size !== before.size ||
          after.mtimeNs !== before.mtimeNs ||
          after.ctimeNs !== before.ctimeNs
        ) {
          this.warn(path, 'changed while it was being read; the snapshot holds the bytes as read');
        }
        this.countFile(previous ? 'changed' : 'new', 0);
        this.counters.bytes += size;
        // The metadata cache key is what the open handle saw before reading.
        return {
          ...metadata(name, stats),
          type: 'file',
          size,
          mtimeNs: before.mtimeNs,
          inode: before.ino,
          ctimeNs: before.ctimeNs,
          content: result.content,
        };
      }),
    );
  }

  /** A file whose size, times and inode equal its node in the parent snapshot (and no --force). */
  private unchangedSinceParent(previous: TreeNode | undefined, stats: EntryStat): previous is FileNode {
    return !this.deps.force && previous?.type === 'file' && unchanged(previous, stats);
  }

  /** Counts the unchanged files and symlinks of a directory taken over from the directory cache. */
  private countReused({ files, bytes, symlinks }: Pick<CachedDir, 'files' | 'bytes' | 'symlinks'>): void {
    this.counters.files += files;
    this.counters.filesUnchanged += files;
    this.counters.bytes += bytes;
    this.counters.symlinks += symlinks;
    this.deps.progress.filesDone += files;
    this.deps.progress.bytesDone += bytes;
  }

  private countFile(kind: 'new' | 'changed' | 'unchanged', unchangedBytes: number): void {
    this.counters.files++;
    this.deps.progress.filesDone++;
    if (kind === 'unchanged') {
      this.counters.filesUnchanged++;
      this.counters.bytes += unchangedBytes;
      this.deps.progress.bytesDone += unchangedBytes;
    } else if (kind === 'changed') this.counters.filesChanged++;
    else this.counters.filesNew++;
  }
}

function metadata(name: string, stats: EntryStat) {
  return { name, mode: stats.mode, mtimeNs: stats.mtimeNs, uid: stats.uid, gid: stats.gid };
}

function dirNode(name: string, stats: EntryStat | undefined, subtree: BlobId): DirNode {
  if (!stats) return { name, mode: 0o755, mtimeNs: '0', uid: 0, gid: 0, type: 'dir', subtree };
  return { ...metadata(name, stats), type: 'dir', subtree };
}

/** True when `a` and `b` encode to the same tree entry (every field `encodeTree` writes). */
export function sameNode(a: TreeNode, b: TreeNode | undefined): boolean {
  if (
    a.name !== b?.name ||
    a.type !== b.type ||
    a.mode !== b.mode ||
    a.mtimeNs !== b.mtimeNs ||
    a.uid !== b.uid ||
    a.gid !== b.gid
  ) {
    return false;
  }
  switch (a.type) {
    case 'file': {
      const f = b as FileNode;
      return (
        a.size === f.size &&
        a.inode === f.inode &&
        a.ctimeNs === f.ctimeNs &&
        a.content.length === f.content.length &&
        a.content.every((id, i) => id === f.content[i])
      );
    }
    case 'dir':
      return a.subtree === (b as DirNode).subtree;
    case 'symlink':
      return a.target === (b as SymlinkNode).target;
  }
}

/** What the directory cache records of a directory's nodes: counts and subdirectory tree ids. */
function tally(nodes: readonly TreeNode[]): Omit<CachedDir, 'digest' | 'tree'> {
  let files = 0;
  let bytes = 0;
  let symlinks = 0;
  const subdirs: (readonly [string, BlobId])[] = [];
  for (const node of nodes) {
    if (node.type === 'file') {
      files++;
      bytes += node.size;
    } else if (node.type === 'symlink') symlinks++;
    else subdirs.push([node.name, node.subtree]);
  }
  return { files, bytes, symlinks, subdirs };
}

/** The nodes in order once the pending ones have settled, skipped entries left out. */
async function settled(soon: readonly NodeSoon[]): Promise<TreeNode[]> {
  const nodes: TreeNode[] = [];
  for (const node of soon) {
    const known = node instanceof Promise ? await node : node;
    if (known !== undefined) nodes.push(known);
  }
  return nodes;
}

function sameOwnerAndMode(node: FileNode, stats: EntryStat): boolean {
  return node.mode === stats.mode && node.uid === stats.uid && node.gid === stats.gid;
}

function unchanged(node: FileNode, stats: EntryStat): boolean {
  return (
    node.size === stats.size &&
    node.mtimeNs === stats.mtimeNs &&
    node.ctimeNs === stats.ctimeNs &&
    node.inode === stats.ino
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function* subtreesOf(nodes: readonly TreeNode[]): Generator<BlobId> {
  for (const node of nodes) if (node.type === 'dir') yield node.subtree;
}
