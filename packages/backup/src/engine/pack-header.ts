import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { DecryptionFailed } from '../crypto/aead.js';
import { errnoCode } from '../errors.js';
import { type BlobEntry, FormatError } from '../repository/blob-entry.js';
import { openFile } from '../repository/file-envelope.js';
import { writeIndex } from '../repository/index-store.js';
import type { MasterIndex } from '../repository/master-index.js';
import { PACK_TRAILER_SIZE, decodePackHeader, decodePackTrailer } from '../repository/pack-format.js';
import type { Repository } from '../repository/repository.js';

/** Reads and decrypts a pack's own header. @throws FormatError if it is unreadable. */
export async function readPackHeader(repo: Repository, packId: string): Promise<BlobEntry[]> {
  const handle = await open(await repo.locatePack(packId), 'r');
  try {
    const { size } = await handle.stat();
    if (size < PACK_TRAILER_SIZE) throw new FormatError(`pack ${packId} is truncated`);
    const trailer = new Uint8Array(PACK_TRAILER_SIZE);
    await handle.read(trailer, 0, PACK_TRAILER_SIZE, size - PACK_TRAILER_SIZE);
    const headerLength = decodePackTrailer(trailer, size);
    const sealed = new Uint8Array(headerLength);
    await handle.read(sealed, 0, headerLength, size - PACK_TRAILER_SIZE - headerLength);
    try {
      return decodePackHeader(openFile(repo.keys.encryption, 'pack-header', sealed));
    } catch (error) {
      if (error instanceof DecryptionFailed) throw new FormatError(`pack ${packId}: header does not decrypt`);
      throw error;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The SHA-256 of a file, read in pieces: a file in `data/` that no index names may be anything,
 * of any size (not read into memory whole).
 */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface OrphanRecovery {
  /** Packs found without an index entry and indexed now. */
  readonly indexed: number;
  /** Packs whose header could not be read (reported by `check`). */
  readonly unreadable: readonly string[];
}

/**
 * A run killed after writing packs but before their index file leaves complete packs (they are
 * only ever renamed into place whole) that no index names. Reads their headers and writes one
 * index file for them, so their blobs are reused instead of stored again.
 */
export async function indexOrphanPacks(repo: Repository, index: MasterIndex): Promise<OrphanRecovery> {
  const recovered = [];
  const unreadable: string[] = [];
  for (const packId of await repo.listPackIds()) {
    if (index.hasPack(packId)) continue;
    try {
      if ((await sha256OfFile(repo.packPath(packId))) !== packId) {
        unreadable.push(packId);
        continue;
      }
      recovered.push({ packId, entries: await readPackHeader(repo, packId) });
    } catch (error) {
      const code = errnoCode(error);
      if (error instanceof FormatError || code === 'EIO' || code === 'EISDIR') unreadable.push(packId);
      else throw error;
    }
  }
  if (recovered.length > 0) {
    await writeIndex(repo, recovered);
    for (const pack of recovered) index.add(pack);
  }
  return { indexed: recovered.length, unreadable };
}
