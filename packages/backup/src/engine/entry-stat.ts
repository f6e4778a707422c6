import type { BigIntStats } from 'node:fs';

/**
 * What the walk needs from an entry's `lstat`: its kind, the metadata a tree node records, and
 * the metadata cache key (size, mtime, ctime, inode). The nanosecond times and the inode are
 * decimal strings, as in tree nodes (they do not fit a JavaScript number exactly).
 */
export interface EntryStat {
  readonly kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits and setuid/setgid/sticky (`st_mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: string;
}

export function entryStat(stats: BigIntStats): EntryStat {
  return {
    kind: stats.isFile()
      ? 'file'
      : stats.isDirectory()
        ? 'dir'
        : stats.isSymbolicLink()
          ? 'symlink'
          : 'other',
    mode: Number(stats.mode) & 0o7777,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: Number(stats.size),
    mtimeNs: String(stats.mtimeNs),
    ctimeNs: String(stats.ctimeNs),
    ino: String(stats.ino),
  };
}
