import { createHash } from 'node:crypto';
import type { EntryStat } from './entry-stat.js';

/**
 * The digest of a directory listing: SHA-256 over its sorted names and each entry's lstat (kind,
 * mode, owner, size, mtime, ctime, inode) or the error it gave, base64. Two listings with the
 * same digest hold the same entries with the same metadata, so a tree built from one fits the
 * other as long as the files' contents are judged by their metadata (as the walk does).
 */
export function listingDigest(names: readonly string[], stats: readonly (EntryStat | string)[]): string {
  return createHash('sha256')
    .update('tresor-backup/listing/v1\u0000')
    .update(JSON.stringify(names))
    .update('\u0000')
    .update(JSON.stringify(stats))
    .digest('base64');
}
