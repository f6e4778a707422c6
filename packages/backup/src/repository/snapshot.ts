import { type BlobId, isBlobId } from '../crypto/blob-id.js';

/** Something about one path that did not go as planned during a backup. */
export interface SnapshotIssue {
  readonly path: string;
  readonly message: string;
}

export interface SnapshotSummary {
  readonly files: number;
  readonly dirs: number;
  readonly symlinks: number;
  /** Total size of all files in the snapshot. */
  readonly bytes: number;
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnchanged: number;
  /** Plaintext bytes of blobs this run added to the repository. */
  readonly dataAdded: number;
  /** Bytes this run wrote to packs (compressed, encrypted). */
  readonly packBytesAdded: number;
  readonly durationMs: number;
}

/**
 * One point in time, stored encrypted in `snapshots/<id>`. Complete on its own: its tree names
 * every blob it needs, whatever other snapshots exist.
 */
export interface Snapshot {
  readonly v: 1;
  readonly time: string;
  readonly hostname: string;
  readonly username: string;
  /** The absolute paths given to `backup`, as they were resolved. */
  readonly paths: readonly string[];
  readonly tree: BlobId;
  /** The snapshot whose metadata let this run skip unchanged files, if any. */
  readonly parent?: string;
  readonly summary: SnapshotSummary;
  /** Files that vanished or changed while being read (the snapshot holds what was read). */
  readonly warnings: readonly SnapshotIssue[];
  /** Files that could not be read at all (missing from the snapshot). */
  readonly errors: readonly SnapshotIssue[];
}

/** At most this many warnings and errors each are stored; the count of omitted ones is added as one line. */
export const MAX_STORED_ISSUES = 1000;

export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  return Buffer.from(JSON.stringify(snapshot));
}

export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issues(value: unknown): SnapshotIssue[] {
  if (!Array.isArray(value)) throw new SnapshotFormatError('bad issue list');
  return value.map((item: unknown) => {
    if (!isRecord(item) || typeof item.path !== 'string' || typeof item.message !== 'string') {
      throw new SnapshotFormatError('bad issue');
    }
    return { path: item.path, message: item.message };
  });
}

export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new SnapshotFormatError('snapshot is not JSON');
  }
  if (!isRecord(value) || value.v !== 1) throw new SnapshotFormatError('unknown snapshot version');
  const { time, hostname, username, paths, tree, parent, summary } = value;
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) throw new SnapshotFormatError('bad time');
  if (typeof hostname !== 'string' || typeof username !== 'string') throw new SnapshotFormatError('bad host');
  if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === 'string')) {
    throw new SnapshotFormatError('bad paths');
  }
  if (!isBlobId(tree)) throw new SnapshotFormatError('bad tree id');
  if (parent !== undefined && typeof parent !== 'string') throw new SnapshotFormatError('bad parent');
  if (!isRecord(summary)) throw new SnapshotFormatError('bad summary');
  const count = (key: keyof SnapshotSummary): number => {
    const n = summary[key];
    if (!Number.isSafeInteger(n) || (n as number) < 0) throw new SnapshotFormatError(`bad summary.${key}`);
    return n as number;
  };
  return {
    v: 1,
    time,
    hostname,
    username,
    paths,
    tree,
    ...(parent === undefined ? {} : { parent }),
    summary: {
      files: count('files'),
      dirs: count('dirs'),
      symlinks: count('symlinks'),
      bytes: count('bytes'),
      filesNew: count('filesNew'),
      filesChanged: count('filesChanged'),
      filesUnchanged: count('filesUnchanged'),
      dataAdded: count('dataAdded'),
      packBytesAdded: count('packBytesAdded'),
      durationMs: count('durationMs'),
    },
    warnings: issues(value.warnings),
    errors: issues(value.errors),
  };
}
