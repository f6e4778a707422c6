import { BackupError } from '../errors.js';
import { FILES_READ_AHEAD, readingAhead } from './read-ahead.js';
import { DamagedFileError, type Repository } from './repository.js';
import { type Snapshot, SnapshotFormatError, decodeSnapshot, encodeSnapshot } from './snapshot.js';

export interface SnapshotRecord {
  readonly id: string;
  readonly snapshot: Snapshot;
}

export interface LoadedSnapshots {
  /** Oldest first. */
  readonly snapshots: readonly SnapshotRecord[];
  /** Snapshot files that could not be read. */
  readonly problems: readonly string[];
  /** The same, one error per file: which file (`kind`, `id`) and why (`message`, as in `problems`). */
  readonly damaged: readonly DamagedFileError[];
}

export async function loadSnapshots(repo: Repository): Promise<LoadedSnapshots> {
  const snapshots: SnapshotRecord[] = [];
  const damaged: DamagedFileError[] = [];
  const ids = await repo.listFiles('snapshot');
  for await (const [id, bytes] of readingAhead(ids, FILES_READ_AHEAD, (id) =>
    repo.readFile('snapshot', id),
  )) {
    try {
      snapshots.push({ id, snapshot: decodeSnapshot(await bytes) });
    } catch (error) {
      if (error instanceof DamagedFileError) damaged.push(error);
      else if (error instanceof SnapshotFormatError) {
        damaged.push(
          new DamagedFileError('snapshot', id, `snapshot ${id}: ${error.message}`, { cause: error }),
        );
      } else throw error;
    }
  }
  snapshots.sort((a, b) => a.snapshot.time.localeCompare(b.snapshot.time) || a.id.localeCompare(b.id));
  return { snapshots, problems: damaged.map(({ message }) => message), damaged };
}

export async function saveSnapshot(repo: Repository, snapshot: Snapshot): Promise<string> {
  return repo.writeFile('snapshot', encodeSnapshot(snapshot));
}

/**
 * `latest` (the newest readable snapshot), a full id, or a unique prefix of at least 4 hex digits.
 * @throws BackupError snapshot.not_found | snapshot.ambiguous | usage.invalid | repo.damaged (the
 *   id names only a snapshot file that cannot be read)
 */
export async function resolveSnapshot(
  repo: Repository,
  ref: string,
  /** Told when `latest` is resolved while snapshot files cannot be read (one may be newer). */
  warn?: (message: string) => void,
): Promise<SnapshotRecord> {
  const { snapshots, damaged } = await loadSnapshots(repo);
  if (ref === 'latest') {
    const latest = snapshots.at(-1);
    if (!latest) {
      const unreadable = damaged.length > 0 ? ` that can be read (${damaged.length} cannot)` : ' yet';
      throw new BackupError('snapshot.not_found', `the repository has no snapshots${unreadable}`);
    }
    if (damaged.length > 0) {
      warn?.(
        `${damaged.length} snapshot file(s) in ${repo.root} cannot be read; "latest" is the newest readable ` +
          `one, ${latest.id.slice(0, 8)} (run "tresor-backup check")`,
      );
    }
    return latest;
  }
  if (!/^[0-9a-f]{4,64}$/.test(ref)) {
    throw new BackupError(
      'usage.invalid',
      `"${ref}" is not a snapshot id (use "latest" or at least 4 hex digits)`,
    );
  }
  const matches = snapshots.filter((record) => record.id.startsWith(ref));
  if (matches.length === 0) {
    const unreadable = damaged.find((error) => error.id.startsWith(ref));
    if (unreadable !== undefined) {
      throw new BackupError(
        'repo.damaged',
        `snapshot ${unreadable.id.slice(0, 8)} is damaged: ${unreadable.message}`,
      );
    }
    throw new BackupError('snapshot.not_found', `no snapshot ${ref}`);
  }
  if (matches.length > 1)
    throw new BackupError('snapshot.ambiguous', `"${ref}" matches ${matches.length} snapshots`);
  return matches[0]!;
}
