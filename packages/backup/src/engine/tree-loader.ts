import type { BlobId } from '../crypto/blob-id.js';
import type { MasterIndex } from '../repository/master-index.js';
import { type Tree, TreeFormatError, decodeTree } from '../repository/tree.js';
import { BlobDamaged, openBlob } from './blob-codec.js';
import type { PackReader } from './pack-reader.js';
import { TREE_GARBAGE_FACTOR, released } from './reclaim.js';
import type { Repository } from '../repository/repository.js';

/**
 * Reads tree blobs (small; decrypted on the calling thread), with a small cache of loaded and
 * loading trees, so that a prefetched tree is read once.
 */
export class TreeLoader {
  private readonly cache = new Map<BlobId, Promise<Tree>>();

  constructor(
    private readonly repo: Repository,
    private readonly index: MasterIndex,
    private readonly reader: PackReader,
    private readonly cacheSize = 256,
  ) {}

  /** @throws BlobDamaged if the tree is missing, does not decrypt or is malformed. */
  load(id: BlobId): Promise<Tree> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const loading = this.read(id);
    if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, loading);
    loading.catch(() => {
      if (this.cache.get(id) === loading) this.cache.delete(id);
    });
    return loading;
  }

  /**
   * Starts loading trees that will be asked for soon (a walk's next directories), while the cache
   * has room for them; their failures surface when they are asked for.
   */
  prefetch(ids: Iterable<BlobId>): void {
    for (const id of ids) {
      if (this.cache.size >= this.cacheSize / 2) return;
      this.load(id).catch(() => undefined);
    }
  }

  private async read(id: BlobId): Promise<Tree> {
    const entry = this.index.get(id);
    if (!entry) throw new BlobDamaged(`tree ${id} is not in the index`);
    // A blob stored as data serves as well: ids are keyed hashes of the plaintext, so a file
    // whose bytes equal this listing (an empty directory's, say) holds exactly these bytes, and
    // the AEAD binds the stored type to the ciphertext (openBlob uses the entry's).
    try {
      const sealed = await this.reader.read(entry.packId, entry.offset, entry.length);
      const raw = openBlob(this.repo.keys, entry, sealed);
      const tree = decodeTree(raw);
      released(TREE_GARBAGE_FACTOR * raw.length);
      return tree;
    } catch (error) {
      if (error instanceof TreeFormatError) throw new BlobDamaged(`tree ${id}: ${error.message}`);
      if (error instanceof BlobDamaged) throw error;
      throw new BlobDamaged(
        `tree ${id} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
