import { createHash } from 'node:crypto';
import { readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DecryptionFailed } from '../crypto/aead.js';
import { errnoCode } from '../errors.js';
import { fsyncDirectory, writeFileAtomic } from '../repository/atomic-file.js';
import { FormatError } from '../repository/blob-entry.js';
import { openFile, sealFile } from '../repository/file-envelope.js';
import { type PackRecord, decodeIndex, encodeIndex } from '../repository/index-format.js';
import type { Repository } from '../repository/repository.js';

/**
 * What a cloud prune is in the middle of, recorded in the cache: the packs it is about to upload
 * (written before the first upload, until an index in the cloud names them) and the packs it is
 * about to delete (written before the old index files go, until the packs are gone). A prune
 * killed in between leaves packs in the cloud that no index names; the next prune finds them
 * here: it names uploaded ones in its new index and finishes deleting the others, instead of
 * leaving them as unexplained, unindexed packs. Sealed like an index file (deletions as packs
 * without entries).
 */
export type PendingKind = 'upload' | 'delete';

const journalDir = (mirror: Repository) => join(mirror.root, 'cloud-prune');
const JOURNAL_NAME = /^(upload|delete)-[0-9a-f]{64}$/;

/** Records `packs` durably. @returns the journal file's name. */
export async function recordPendingPacks(
  mirror: Repository,
  kind: PendingKind,
  packs: readonly PackRecord[],
): Promise<string> {
  const sealed = sealFile(mirror.keys.encryption, 'index', encodeIndex(packs));
  const name = `${kind}-${createHash('sha256').update(sealed).digest('hex')}`;
  await writeFileAtomic(mirror.root, join(journalDir(mirror), name), sealed);
  return name;
}

export interface PendingPacks {
  readonly files: readonly string[];
  /** Packs uploaded (or about to be) that an index may not name yet. */
  readonly uploads: readonly PackRecord[];
  /** Ids of packs about to be deleted that no index names any more. */
  readonly deletions: readonly string[];
}

/** Everything recorded. A journal file that does not open (damaged) is skipped: it only helps. */
export async function readPendingPacks(mirror: Repository): Promise<PendingPacks> {
  let names: string[];
  try {
    names = (await readdir(journalDir(mirror))).filter((name) => JOURNAL_NAME.test(name));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { files: [], uploads: [], deletions: [] };
    throw error;
  }
  const uploads: PackRecord[] = [];
  const deletions: string[] = [];
  for (const name of names) {
    try {
      const sealed = await readFile(join(journalDir(mirror), name));
      const records = decodeIndex(openFile(mirror.keys.encryption, 'index', sealed));
      if (name.startsWith('upload-')) uploads.push(...records);
      else deletions.push(...records.map((record) => record.packId));
    } catch (error) {
      if (!(error instanceof DecryptionFailed) && !(error instanceof FormatError)) throw error;
    }
  }
  return { files: names, uploads, deletions };
}

export async function clearPendingPacks(mirror: Repository, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  for (const name of files) await unlink(join(journalDir(mirror), name)).catch(() => undefined);
  await fsyncDirectory(journalDir(mirror));
}
