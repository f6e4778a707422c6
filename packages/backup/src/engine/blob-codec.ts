import type { KeyObject } from 'node:crypto';
import { DecryptionFailed, aeadOpen, aeadSeal, prepareKey } from '../crypto/aead.js';
import { type BlobId, computeBlobId } from '../crypto/blob-id.js';
import type { EncryptionKey, IdKey } from '../crypto/keys.js';
import { CodecError, type CodecName, compressBlob, decompressBlob } from '../compress/codec.js';
import type { BlobType, Codec } from '../format.js';
import { MAX_BLOB_RAW_LENGTH, blobAad } from '../repository/blob-entry.js';

/**
 * Turning plaintext into a stored blob and back: compress (if it pays), encrypt with AES-256-GCM
 * binding type, codec and id, and on the way back verify the keyed hash of the plaintext. Pure
 * functions: the worker threads and the main thread share them.
 */
export interface SealedBlob {
  readonly codec: Codec;
  readonly sealed: Uint8Array;
}

/**
 * Encryption keys imported once per thread. Keyed by the key's array, which is never changed
 * (unlike slot keys, which are wiped after use and so never prepared).
 */
const preparedKeys = new WeakMap<EncryptionKey, KeyObject>();

function prepared(key: EncryptionKey): KeyObject {
  let object = preparedKeys.get(key);
  if (object === undefined) preparedKeys.set(key, (object = prepareKey(key)));
  return object;
}

export function sealBlob(
  key: EncryptionKey,
  type: BlobType,
  id: BlobId,
  raw: Uint8Array,
  codec: CodecName,
): SealedBlob {
  const compressed = compressBlob(raw, codec);
  return {
    codec: compressed.codec,
    sealed: aeadSeal(prepared(key), compressed.data, blobAad(type, compressed.codec, id)),
  };
}

/** The blob's bytes do not decrypt, decompress or hash to its id. */
export class BlobDamaged extends Error {
  override readonly name = 'BlobDamaged';
}

export interface BlobRef {
  readonly type: BlobType;
  readonly codec: Codec;
  readonly id: BlobId;
  readonly rawLength: number;
}

export interface BlobKeys {
  readonly encryption: EncryptionKey;
  readonly id: IdKey;
}

export interface OpenOptions {
  /**
   * Recompute the keyed hash of the plaintext and compare it with the id (default). Without it,
   * the AEAD tag alone vouches for the blob: it binds type, codec and id, so nobody without the
   * key can forge or swap a blob; what is left undetected is a blob sealed wrongly by a key
   * holder (a writer's bug or bad RAM between hashing and sealing), which `check --read-data`
   * and `restore --verify` find.
   */
  readonly checkId?: boolean;
}

/** @throws BlobDamaged */
export function openBlob(
  keys: BlobKeys,
  ref: BlobRef,
  sealed: Uint8Array,
  { checkId = true }: OpenOptions = {},
): Uint8Array {
  if (ref.rawLength > MAX_BLOB_RAW_LENGTH) throw new BlobDamaged(`blob ${ref.id} claims an impossible size`);
  let raw: Uint8Array;
  try {
    raw = decompressBlob(
      ref.codec,
      aeadOpen(prepared(keys.encryption), sealed, blobAad(ref.type, ref.codec, ref.id)),
      ref.rawLength,
    );
  } catch (error) {
    if (error instanceof DecryptionFailed) throw new BlobDamaged(`blob ${ref.id} does not decrypt`);
    if (error instanceof CodecError) throw new BlobDamaged(`blob ${ref.id}: ${error.message}`);
    throw error;
  }
  if (checkId && computeBlobId(keys.id, raw) !== ref.id)
    throw new BlobDamaged(`blob ${ref.id} does not match its id`);
  return raw;
}
