import { type BlobId, computeBlobId } from '../crypto/blob-id.js';
import { BlobType } from '../format.js';
import type { PackRecord } from '../repository/index-format.js';
import { writeIndex } from '../repository/index-store.js';
import type { MasterIndex } from '../repository/master-index.js';
import type { Repository } from '../repository/repository.js';
import { PackWriter } from './pack-writer.js';
import { sealBlob } from './blob-codec.js';
import { TREE_GARBAGE_FACTOR, released } from './reclaim.js';
import type { FileJobHandlers } from './worker-pool.js';
import type { SealedData } from './worker-protocol.js';
import type { CodecName } from '../compress/codec.js';

/** Write an index file after this many new packs (~256 MiB), so an interrupted run keeps its work. */
const PACKS_PER_INDEX_FILE = 16;

export interface SaverStats {
  blobsAdded: number;
  /** Plaintext bytes of new blobs. */
  dataAdded: number;
  /** Bytes of packs written (sealed blobs, headers, trailers). */
  packBytesAdded: number;
  packsWritten: number;
}

/**
 * Stores blobs that the repository does not have yet: deduplicates against the index and
 * against blobs already queued in this run, packs what the workers sealed, and writes an
 * index file for every few durable packs. Order on disk: pack, then the index naming it.
 * Trees go to packs of their own: whoever needs only the directory listings (cloud retention
 * or a listing of the cloud copy without the local repository) fetches those few small packs,
 * not every data pack that happened to hold a tree.
 */
export class BlobSaver {
  private readonly queued = new Set<BlobId>();
  private unindexed: PackRecord[] = [];
  private readonly writer: PackWriter;
  private readonly treeWriter: PackWriter;
  readonly stats: SaverStats = { blobsAdded: 0, dataAdded: 0, packBytesAdded: 0, packsWritten: 0 };

  constructor(
    private readonly repo: Repository,
    private readonly index: MasterIndex,
    private readonly codec: CodecName = 'zstd',
  ) {
    this.writer = new PackWriter(repo, (pack, size) => this.packWritten(pack, size));
    this.treeWriter = new PackWriter(repo, (pack, size) => this.packWritten(pack, size));
  }

  private async packWritten(pack: PackRecord, size: number): Promise<void> {
    this.index.add(pack);
    for (const entry of pack.entries) this.queued.delete(entry.id);
    this.unindexed.push(pack);
    this.stats.packsWritten++;
    this.stats.packBytesAdded += size;
    if (this.unindexed.length >= PACKS_PER_INDEX_FILE) await this.writePendingIndex();
  }

  private async writePendingIndex(): Promise<void> {
    if (this.unindexed.length === 0) return;
    const packs = this.unindexed;
    this.unindexed = [];
    await writeIndex(this.repo, packs);
  }

  private known(id: BlobId): boolean {
    return this.index.has(id) || this.queued.has(id);
  }

  /** True (and queued from now on) when this run is the first to want blob `id`. */
  private claim(id: BlobId): boolean {
    if (this.known(id)) return false;
    this.queued.add(id);
    return true;
  }

  /** The main thread's part of a file job (see WorkerPool.startFile). */
  readonly handlers: FileJobHandlers = {
    decide: (ids) => ids.map((id) => this.claim(id)),
    store: (blobs) => this.store(blobs),
    storeUnasked: (blobs) => {
      const wanted: SealedData[] = [];
      let dropped = 0;
      for (const blob of blobs) {
        if (this.claim(blob.id)) wanted.push(blob);
        else dropped += blob.sealed.length; // a duplicate: its sealed copy is garbage now
      }
      released(dropped);
      return wanted.length === 0 ? Promise.resolve() : this.store(wanted);
    },
  };

  private async store(blobs: readonly SealedData[]): Promise<void> {
    await this.writer.add(blobs.map((blob) => ({ ...blob, type: BlobType.data })));
    for (const blob of blobs) {
      this.stats.blobsAdded++;
      this.stats.dataAdded += blob.rawLength;
      // Written to the pack: the sealed copy the worker handed over is garbage now.
      released(blob.sealed.length);
    }
  }

  /** Stores one encoded tree (small: sealed on the main thread). @returns its id. */
  async saveTree(bytes: Uint8Array): Promise<BlobId> {
    const id = computeBlobId(this.repo.keys.id, bytes);
    // The nodes and JSON the caller built this from are garbage once it is encoded.
    released(TREE_GARBAGE_FACTOR * bytes.length);
    if (this.known(id)) return id;
    this.queued.add(id);
    const { codec, sealed } = sealBlob(this.repo.keys.encryption, BlobType.tree, id, bytes, this.codec);
    await this.treeWriter.add([{ type: BlobType.tree, id, codec, sealed, rawLength: bytes.length }]);
    this.stats.blobsAdded++;
    this.stats.dataAdded += bytes.length;
    return id;
  }

  /** Makes everything saved so far durable: the last packs, then their index file. */
  async finish(): Promise<void> {
    await this.writer.flush();
    await this.treeWriter.flush();
    await this.writePendingIndex();
  }

  /** After a failure: removes the unfinished packs. Durable packs stay (the next run re-indexes them). */
  async abort(): Promise<void> {
    await Promise.all([this.writer.abort(), this.treeWriter.abort()]);
  }
}
