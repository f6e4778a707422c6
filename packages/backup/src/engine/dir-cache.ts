import { type BlobId, isBlobId } from '../crypto/blob-id.js';

/**
 * The directory cache: what one host's last backup of a set of sources stored for each directory
 * whose subtree gave no warning or error. The next backup of the same sources compares each
 * directory's listing digest (names and lstat of every entry, see listing-digest.ts) with the
 * cached one; where they are equal it reuses the directory's tree id without loading the previous
 * tree or looking at the files one by one (their metadata is what the walk judges them by).
 * Subdirectories are still walked; when one of them changed, the directory's cached tree is loaded
 * and only its subtree ids are replaced.
 *
 * Sound only while every blob the cached trees name is still in the repository: the cache names
 * the index files that existed when it was written, and is dropped when any of them is gone or
 * unreadable (prune replaces the index files whenever it removes blobs).
 */
export interface CachedDir {
  /** The listing digest the tree was built from. */
  readonly digest: string;
  readonly tree: BlobId;
  /** Files, their bytes and symlinks directly in the directory (what the walk counts). */
  readonly files: number;
  readonly bytes: number;
  readonly symlinks: number;
  /** The subdirectories' names and tree ids, in name order. */
  readonly subdirs: readonly (readonly [string, BlobId])[];
}

/** Which backups share a cache: same host, same sources, same exclude patterns. */
export interface DirCacheScope {
  readonly host: string;
  readonly sources: readonly string[];
  /** A stable description of the exclude patterns ('' for none). */
  readonly excludes: string;
}

export interface DirCacheContents {
  /** Index files that existed when the cache was written: all of them must still be readable. */
  readonly indexFiles: readonly string[];
  readonly dirs: ReadonlyMap<string, CachedDir>;
}

const VERSION = 1;

type EncodedDir = [string, string, string, number, number, number, [string, string][]];

function scopeKey(scope: DirCacheScope): string {
  return JSON.stringify([scope.host, scope.sources, scope.excludes]);
}

export function encodeDirCache(scope: DirCacheScope, contents: DirCacheContents): Uint8Array {
  const dirs: EncodedDir[] = [];
  for (const [path, dir] of contents.dirs) {
    dirs.push([
      path,
      dir.digest,
      dir.tree,
      dir.files,
      dir.bytes,
      dir.symlinks,
      dir.subdirs.map(([name, id]) => [name, id]),
    ]);
  }
  return Buffer.from(
    JSON.stringify({ v: VERSION, scope: scopeKey(scope), indexFiles: contents.indexFiles, dirs }),
  );
}

/** The cache's contents, or undefined when the bytes are not a cache of this scope. */
export function decodeDirCache(scope: DirCacheScope, bytes: Uint8Array): DirCacheContents | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, scope: key, indexFiles, dirs } = value as Record<string, unknown>;
  if (v !== VERSION || key !== scopeKey(scope)) return undefined;
  if (!Array.isArray(indexFiles) || !indexFiles.every((id) => typeof id === 'string')) return undefined;
  if (!Array.isArray(dirs)) return undefined;
  const decoded = new Map<string, CachedDir>();
  for (const entry of dirs) {
    const dir = decodeDir(entry);
    if (dir === undefined) return undefined;
    decoded.set(dir[0], dir[1]);
  }
  return { indexFiles, dirs: decoded };
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function decodeDir(entry: unknown): [string, CachedDir] | undefined {
  if (!Array.isArray(entry) || entry.length !== 7) return undefined;
  const [path, digest, tree, files, bytes, symlinks, subdirs] = entry as unknown[];
  if (typeof path !== 'string' || typeof digest !== 'string' || !isBlobId(tree)) return undefined;
  if (!isCount(files) || !isCount(bytes) || !isCount(symlinks) || !Array.isArray(subdirs)) return undefined;
  const pairs: (readonly [string, BlobId])[] = [];
  for (const pair of subdirs) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const [name, id] = pair as unknown[];
    if (typeof name !== 'string' || !isBlobId(id)) return undefined;
    pairs.push([name, id]);
  }
  return [path, { digest, tree, files, bytes, symlinks, subdirs: pairs }];
}

/**
 * The cached directories a backup may reuse: none unless every index file the cache names was
 * read (a missing one means a prune or a repair may have removed blobs the cached trees need).
 */
export function usableDirs(
  contents: DirCacheContents | undefined,
  readableIndexFiles: ReadonlySet<string>,
): ReadonlyMap<string, CachedDir> {
  if (contents === undefined) return new Map();
  return contents.indexFiles.every((id) => readableIndexFiles.has(id)) ? contents.dirs : new Map();
}
