import { createHmac } from 'node:crypto';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { createTempFile, discardTempFile } from '../repository/atomic-file.js';
import { openFile, sealFile } from '../repository/file-envelope.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import {
  type CachedDir,
  type DirCacheContents,
  type DirCacheScope,
  decodeDirCache,
  encodeDirCache,
} from './dir-cache.js';

/**
 * Where a scope's directory cache lives: `<repo>/cache/dirs-<name>`, the name keyed by the
 * repository's id key so that it says nothing about the paths. Sealed like every repository file;
 * never replicated (it is local, only a speed-up, and safe to delete).
 */
function cachePath(repo: Repository, scope: DirCacheScope): string {
  const name = createHmac('sha256', repo.keys.id)
    .update(`tresor-backup/dir-cache\u0000${JSON.stringify([scope.host, scope.sources])}`)
    .digest('hex')
    .slice(0, 32);
  return layout.dirCache(repo.root, name);
}

/** The scope's cache, or undefined when there is none or it is unreadable (then it is ignored). */
export async function loadDirCache(
  repo: Repository,
  scope: DirCacheScope,
): Promise<DirCacheContents | undefined> {
  try {
    const sealed = await readFile(cachePath(repo, scope));
    return decodeDirCache(scope, openFile(repo.keys.encryption, 'dir-cache', sealed));
  } catch {
    return undefined;
  }
}

/**
 * Replaces the scope's cache with `dirs`, naming the repository's index files now (those that
 * could not be read when the backup started left out). Written to a temporary file and renamed,
 * not flushed: a cache lost or torn by a crash does not decrypt and is ignored.
 */
export async function saveDirCache(
  repo: Repository,
  scope: DirCacheScope,
  dirs: ReadonlyMap<string, CachedDir>,
  unreadableIndexFiles: readonly string[],
): Promise<void> {
  const unreadable = new Set(unreadableIndexFiles);
  const indexFiles = (await repo.listFiles('index')).filter((id) => !unreadable.has(id));
  const sealed = sealFile(repo.keys.encryption, 'dir-cache', encodeDirCache(scope, { indexFiles, dirs }));
  const path = cachePath(repo, scope);
  await mkdir(layout.cacheDir(repo.root), { recursive: true });
  const temp = await createTempFile(repo.root);
  try {
    await temp.handle.writeFile(sealed);
    await temp.handle.close();
    await rename(temp.path, path);
  } catch (error) {
    await discardTempFile(temp);
    throw error;
  }
}
