import type { Readable } from 'node:stream';

/** A blob's address: the lowercase hex SHA-256 of its content. */
export type BlobKey = string & { readonly __brand: 'BlobKey' };

const BLOB_KEY = /^[0-9a-f]{64}$/;

export function parseBlobKey(value: string): BlobKey | undefined {
  return BLOB_KEY.test(value) ? (value as BlobKey) : undefined;
}

export interface PutOptions {
  /** Refuse the blob unless its content hashes to this key (verifies what a client sent). */
  readonly expectedKey?: BlobKey;
  /** Refuse content longer than this many bytes. */
  readonly maxBytes?: number;
}

/** Bytes `start` to `end` of a blob, both included. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface BlobInfo {
  readonly key: BlobKey;
  readonly size: number;
}

/** A stored blob as {@link BlobStore.head} finds it. */
export interface StoredBlobInfo extends BlobInfo {
  /** When the blob's content was last written (a put of the same content again renews it). */
  readonly modifiedAt: Date;
}

/**
 * A blob written by {@link BlobStore.stage} but not yet visible: {@link BlobStore.commit} makes it
 * durable and visible, {@link BlobStore.discard} drops it. `token` belongs to the store.
 */
export interface StagedBlob extends BlobInfo {
  readonly token: string;
}

export type PutFailure = 'blob.digest_mismatch' | 'blob.too_large';

export class BlobStoreError extends Error {
  override readonly name = 'BlobStoreError';
  constructor(
    readonly code: PutFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Content-addressed storage for large opaque blobs (backup packs, attachments, media).
 * A blob is visible only once it is complete and durable; writing the same content twice
 * stores it once, written anew: a blob that was damaged on disk is sound again afterwards (the
 * backup agent's `replicate --repair` relies on that).
 */
export interface BlobStore {
  put(content: AsyncIterable<Uint8Array> | Uint8Array, options?: PutOptions): Promise<BlobInfo>;
  /**
   * Writes a blob without making it visible or durable yet, so that several blobs written one
   * after another become durable together in one {@link commit} (one round of disk flushes
   * instead of one per blob). Staged blobs left by a crash are removed when the store opens.
   */
  stage(content: AsyncIterable<Uint8Array> | Uint8Array, options?: PutOptions): Promise<StagedBlob>;
  /** Makes staged blobs durable, then visible under their keys. */
  commit(staged: readonly StagedBlob[]): Promise<void>;
  /** Drops staged blobs that will not be committed. */
  discard(staged: readonly StagedBlob[]): Promise<void>;
  /**
   * The blob's content, or undefined when no blob has this key. With `range`, only the bytes
   * from `start` to `end` (inclusive, as in HTTP; the caller checks them against the size).
   */
  get(key: BlobKey, range?: ByteRange): Promise<Readable | undefined>;
  head(key: BlobKey): Promise<StoredBlobInfo | undefined>;
  list(): AsyncIterable<BlobKey>;
  /** True when a blob was deleted, false when there was none. */
  delete(key: BlobKey): Promise<boolean>;
}
