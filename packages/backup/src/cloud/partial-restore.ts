import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { blobsToRestore } from '../engine/restore.js';
import type { BlobEntry } from '../repository/blob-entry.js';
import { loadIndex } from '../repository/index-store.js';
import type { MasterIndex } from '../repository/master-index.js';
import { fetchStretches, worthRanges } from './ranged-blobs.js';
import type { CloudAccess, RestoreSource } from './smart-restore.js';

export interface PartialRestore {
  /** The index the restore must use (the one the blobs were picked by). */
  readonly index: MasterIndex;
  /** Packs read in part, range requests, bytes fetched. */
  readonly packs: number;
  readonly requests: number;
  readonly bytes: number;
  /** Removes the partial pack files (after the restore). */
  cleanup(): Promise<void>;
}

/**
 * Before a restore of a few paths (`include`) that reads packs from the cloud: the blobs it will
 * read from packs that are not at hand are fetched as byte ranges when they are at most half of
 * their pack, and written at their offsets into a sparse file per pack (in the cache's `tmp/`),
 * which the cloud pack source then serves instead of downloading the whole pack. Nothing here is
 * trusted: restore opens every blob by its AES-GCM tag, which binds the blob's id.
 */
export async function fetchForPartialRestore(
  source: RestoreSource & { readonly cloudPacks: NonNullable<RestoreSource['cloudPacks']> },
  cloud: CloudAccess,
  include: readonly string[],
): Promise<PartialRestore> {
  const { repo, record, cloudPacks } = source;
  const index = source.index ?? (await loadIndex(repo)).index;
  const byPack = new Map<string, BlobEntry[]>();
  for (const id of await blobsToRestore(repo, index, record.snapshot.tree, include)) {
    const entry = index.get(id);
    if (entry === undefined) continue; // restore reports it
    byPack.set(entry.packId, [...(byPack.get(entry.packId) ?? []), entry]);
  }
  const dir = join(cloud.cacheRoot, 'tmp', `partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fetched = { packs: 0, requests: 0, bytes: 0 };
  for (const [packId, entries] of byPack) {
    const size = cloudPacks.cloudPacks.get(packId);
    if (size === undefined || !worthRanges(entries, size)) continue;
    if ((await repo.packAtHand(packId)) || (await cloudPacks.isCached(packId))) continue;
    await mkdir(dir, { recursive: true });
    const path = join(dir, packId);
    const file = await open(path, 'w', 0o600);
    try {
      const got = await fetchStretches(cloud.client, packId, entries, async (stretch, bytes) => {
        await file.write(bytes, 0, bytes.length, stretch.start);
      });
      fetched.requests += got.requests;
      fetched.bytes += got.bytes;
    } finally {
      await file.close();
    }
    cloudPacks.usePartial(packId, path);
    fetched.packs++;
  }
  return { index, ...fetched, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
