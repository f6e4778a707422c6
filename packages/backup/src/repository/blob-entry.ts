import type { BlobId } from '../crypto/blob-id.js';
import { BlobType, Codec, ID_LENGTH, isBlobType, isCodec } from '../format.js';

/** Where one blob lives inside its pack, as recorded in the pack header and in the index. */
export interface BlobEntry {
  readonly type: BlobType;
  readonly codec: Codec;
  readonly id: BlobId;
  /** Byte offset of the sealed blob in the pack. */
  readonly offset: number;
  /** Length of the sealed blob (nonce ‖ ciphertext ‖ tag). */
  readonly length: number;
  /** Length of the plaintext after decompression. */
  readonly rawLength: number;
}

/** type u8 ‖ codec u8 ‖ id 32 bytes ‖ offset u32 ‖ length u32 ‖ rawLength u32, little-endian. */
export const ENTRY_SIZE = 2 + ID_LENGTH + 12;

export class FormatError extends Error {
  override readonly name = 'FormatError';
}

export function writeEntry(view: DataView, bytes: Uint8Array, at: number, entry: BlobEntry): void {
  view.setUint8(at, entry.type);
  view.setUint8(at + 1, entry.codec);
  bytes.set(Buffer.from(entry.id, 'hex'), at + 2);
  view.setUint32(at + 2 + ID_LENGTH, entry.offset, true);
  view.setUint32(at + 6 + ID_LENGTH, entry.length, true);
  view.setUint32(at + 10 + ID_LENGTH, entry.rawLength, true);
}

/** `bytes` as a Buffer (no copy), for reading ids as hex with one native call per id. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function readEntry(view: DataView, bytes: Buffer, at: number): BlobEntry {
  if (at + ENTRY_SIZE > bytes.length) throw new FormatError('truncated blob entry');
  const type = view.getUint8(at);
  const codec = view.getUint8(at + 1);
  if (!isBlobType(type)) throw new FormatError(`unknown blob type ${type}`);
  if (!isCodec(codec)) throw new FormatError(`unknown codec ${codec}`);
  return {
    type,
    codec,
    id: bytes.toString('hex', at + 2, at + 2 + ID_LENGTH) as BlobId,
    offset: view.getUint32(at + 2 + ID_LENGTH, true),
    length: view.getUint32(at + 6 + ID_LENGTH, true),
    rawLength: view.getUint32(at + 10 + ID_LENGTH, true),
  };
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The AAD of a blob: its type, codec and id are bound to its ciphertext. */
export function blobAad(type: BlobType, codec: Codec, id: BlobId): Uint8Array {
  const prefix = Buffer.from('tresor-backup/v1/blob\u0000', 'latin1');
  const out = new Uint8Array(prefix.length + 2 + ID_LENGTH);
  out.set(prefix, 0);
  out[prefix.length] = type;
  out[prefix.length + 1] = codec;
  out.set(Buffer.from(id, 'hex'), prefix.length + 2);
  return out;
}

/** Sanity bound for one blob's plaintext (data chunks are ≤ 4 MiB; trees of huge directories can be larger). */
export const MAX_BLOB_RAW_LENGTH = 256 * 1024 * 1024;

export { BlobType, Codec };
