import type { BlobId } from '../crypto/blob-id.js';
import type { BlobEntry } from './blob-entry.js';
import type { PackRecord } from './index-format.js';

export interface IndexedBlob extends BlobEntry {
  readonly packId: string;
}

/**
 * All index files merged in memory: blob id → pack and position. About 570 bytes per blob
 * (measured: 16.5 MB for 30,140 blobs), so 1 TiB of 1 MiB chunks (or 64 GiB of 64 KiB chunks)
 * needs about 550 MiB; the bound grows with the repository, not with a single backup.
 */
export class MasterIndex {
  private readonly blobs = new Map<BlobId, IndexedBlob>();
  private readonly packEntries = new Map<string, readonly BlobEntry[]>();

  add(pack: PackRecord): void {
    if (this.packEntries.has(pack.packId)) return;
    this.packEntries.set(pack.packId, pack.entries);
    const { packId } = pack;
    for (const { type, codec, id, offset, length, rawLength } of pack.entries) {
      // Written out rather than spread: one object shape for all entries, built fast.
      if (!this.blobs.has(id)) this.blobs.set(id, { type, codec, id, offset, length, rawLength, packId });
    }
  }

  get(id: BlobId): IndexedBlob | undefined {
    return this.blobs.get(id);
  }

  has(id: BlobId): boolean {
    return this.blobs.has(id);
  }

  hasPack(packId: string): boolean {
    return this.packEntries.has(packId);
  }

  /** The blobs of one pack as its index file lists them. */
  entriesOf(packId: string): readonly BlobEntry[] | undefined {
    return this.packEntries.get(packId);
  }

  packs(): IterableIterator<[string, readonly BlobEntry[]]> {
    return this.packEntries.entries();
  }

  get blobCount(): number {
    return this.blobs.size;
  }

  get packCount(): number {
    return this.packEntries.size;
  }
}
