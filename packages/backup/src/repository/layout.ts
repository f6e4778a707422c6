import { join } from 'node:path';

/** The files of a repository, all below its root directory (docs/BACKUP_FORMAT.md, "Layout"). */
export type FileKind = 'index' | 'snapshot';

export const layout = {
  config: (root: string) => join(root, 'config'),
  keysDir: (root: string) => join(root, 'keys'),
  key: (root: string, slotId: string) => join(root, 'keys', slotId),
  dataDir: (root: string) => join(root, 'data'),
  pack: (root: string, packId: string) => join(root, 'data', packId.slice(0, 2), packId),
  dir: (root: string, kind: FileKind) => join(root, kind === 'index' ? 'index' : 'snapshots'),
  file: (root: string, kind: FileKind, id: string) =>
    join(root, kind === 'index' ? 'index' : 'snapshots', id),
  tmpDir: (root: string) => join(root, 'tmp'),
  /** Created on first use (repositories made before locks existed lack it). */
  locksDir: (root: string) => join(root, 'locks'),
  /** Local caches that only speed things up (safe to delete); created on first use. */
  cacheDir: (root: string) => join(root, 'cache'),
  /** The directory cache of one host's backups of one set of sources (engine/dir-cache.ts). */
  dirCache: (root: string, name: string) => join(root, 'cache', `dirs-${name}`),
};

/** Directories `init` creates. `data/00` … `data/ff` are created on first use. */
export const REPOSITORY_DIRECTORIES = ['keys', 'data', 'index', 'snapshots', 'tmp'] as const;

const HEX_ID = /^[0-9a-f]{64}$/;

export function isHexId(name: string): boolean {
  return HEX_ID.test(name);
}
