import type { Brand } from '../brand.js';
import { utf8ToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH } from '../keys/aes-gcm.js';
import { DecryptionError } from '../keys/errors.js';
import { hkdfSha256 } from '../keys/hkdf.js';
import { type DataKey, SYMMETRIC_KEY_LENGTH } from '../keys/key-types.js';

/**
 * Streaming encryption of documents (any file up to 500 MiB) in fixed-size chunks. Each chunk is
 * AES-256-GCM under a per-document key with a fresh random nonce; the AAD binds practice,
 * document, chunk index and whether it is the final chunk, so the server cannot reorder,
 * duplicate, drop or append chunks, nor cut the document short, without decryption failing.
 *
 * A sealed chunk is `nonce (12) || ciphertext || tag (16)`.
 */

/** Plaintext bytes per chunk (1 MiB); only the final chunk may be shorter (or empty). */
export const DOCUMENT_CHUNK_SIZE = 1024 * 1024;

/** Bytes a sealed chunk adds to its plaintext: nonce and tag. */
export const DOCUMENT_CHUNK_OVERHEAD = AES_GCM_NONCE_LENGTH + AES_GCM_TAG_LENGTH;

/** The largest document accepted: 500 MiB of plaintext. */
export const MAX_DOCUMENT_SIZE = 500 * 1024 * 1024;

/** The key of one document, derived from its record's data key. 32 bytes. */
export type DocumentKey = Brand<Uint8Array, 'DocumentKey'>;

export interface DocumentContext {
  readonly practiceId: string;
  /** The record (patient) whose data key the document key is derived from. */
  readonly recordId: string;
  readonly documentId: string;
}

/** HKDF(ikm = data key, salt = 'tresor/document/v1', info = JSON [practiceId, recordId, documentId]). */
export async function deriveDocumentKey(dataKey: DataKey, context: DocumentContext): Promise<DocumentKey> {
  if (!(dataKey instanceof Uint8Array) || dataKey.length !== SYMMETRIC_KEY_LENGTH) {
    throw new RangeError('deriveDocumentKey: the data key must be 32 bytes');
  }
  const info = utf8ToBytes(JSON.stringify([context.practiceId, context.recordId, context.documentId]));
  const key = await hkdfSha256(dataKey, utf8ToBytes('tresor/document/v1'), info, SYMMETRIC_KEY_LENGTH);
  return key as DocumentKey;
}

/** Number of chunks of a document of `size` plaintext bytes (at least one, possibly empty). */
export function documentChunkCount(size: number, chunkSize = DOCUMENT_CHUNK_SIZE): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('size must be a non-negative integer');
  return Math.max(1, Math.ceil(size / chunkSize));
}

/** Exact length of sealed chunk `index` of a document of `size` plaintext bytes. */
export function sealedChunkLength(size: number, index: number, chunkSize = DOCUMENT_CHUNK_SIZE): number {
  const count = documentChunkCount(size, chunkSize);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) throw new RangeError('no such chunk');
  const plain = index < count - 1 ? chunkSize : size - (count - 1) * chunkSize;
  return plain + DOCUMENT_CHUNK_OVERHEAD;
}

function chunkAad(context: DocumentContext, index: number, final: boolean): Uint8Array {
  return utf8ToBytes(
    JSON.stringify(['tresor/document-chunk/v1', context.practiceId, context.documentId, index, final]),
  );
}

function gcm(nonce: Uint8Array, aad: Uint8Array): AesGcmParams {
  return {
    name: 'AES-GCM',
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: AES_GCM_TAG_LENGTH * 8,
  };
}

/** Seals and opens the chunks of one document; the AES key is imported once. */
export class DocumentCipher {
  private constructor(
    private readonly key: CryptoKey,
    readonly context: DocumentContext,
  ) {}

  static async create(dataKey: DataKey, context: DocumentContext): Promise<DocumentCipher> {
    const raw = await deriveDocumentKey(dataKey, context);
    try {
      const key = await globalThis.crypto.subtle.importKey(
        'raw',
        raw as Uint8Array<ArrayBuffer>,
        'AES-GCM',
        false,
        ['encrypt', 'decrypt'],
      );
      return new DocumentCipher(key, context);
    } finally {
      raw.fill(0);
    }
  }

  /** `nonce || ciphertext || tag` of chunk `index`. */
  async seal(index: number, final: boolean, plaintext: Uint8Array): Promise<Uint8Array> {
    const [nonce, ciphertext] = await this.sealParts(index, final, plaintext);
    const sealed = new Uint8Array(nonce.length + ciphertext.length);
    sealed.set(nonce);
    sealed.set(ciphertext, nonce.length);
    return sealed;
  }

  /**
   * The sealed chunk as its two parts, `nonce` and `ciphertext || tag`, for a caller that copies
   * them into a larger buffer anyway (an upload request carrying several chunks).
   */
  async sealParts(index: number, final: boolean, plaintext: Uint8Array): Promise<[Uint8Array, Uint8Array]> {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('chunk index must be >= 0');
    if (plaintext.length > DOCUMENT_CHUNK_SIZE) throw new RangeError('chunk too large');
    const nonce = randomBytes(AES_GCM_NONCE_LENGTH);
    const ct = await globalThis.crypto.subtle.encrypt(
      gcm(nonce, chunkAad(this.context, index, final)),
      this.key,
      plaintext as Uint8Array<ArrayBuffer>,
    );
    return [nonce, new Uint8Array(ct)];
  }

  /**
   * The plaintext of chunk `index`, which must have been sealed at that index with that final flag.
   * @throws DecryptionError otherwise, or on any tampering.
   */
  async open(index: number, final: boolean, sealed: Uint8Array): Promise<Uint8Array> {
    if (sealed.length < DOCUMENT_CHUNK_OVERHEAD) throw new DecryptionError();
    try {
      const pt = await globalThis.crypto.subtle.decrypt(
        gcm(sealed.subarray(0, AES_GCM_NONCE_LENGTH), chunkAad(this.context, index, final)),
        this.key,
        sealed.subarray(AES_GCM_NONCE_LENGTH) as Uint8Array<ArrayBuffer>,
      );
      return new Uint8Array(pt);
    } catch {
      throw new DecryptionError();
    }
  }
}
