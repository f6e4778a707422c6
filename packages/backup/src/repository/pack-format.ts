import {
  ENTRY_SIZE,
  type BlobEntry,
  FormatError,
  bufferOf,
  readEntry,
  viewOf,
  writeEntry,
} from './blob-entry.js';

/**
 * A pack: `blob₁ ‖ … ‖ blobₙ ‖ header ‖ u32 header length ‖ "TBPK"`. The header is a sealed file
 * envelope (kind `pack-header`) of `u32 count ‖ count × entry`. A pack's id is the SHA-256 of
 * the whole file, so storage corruption is found before any decryption.
 */
export const PACK_MAGIC = Buffer.from('TBPK', 'latin1');
export const PACK_TRAILER_SIZE = 8;

export function encodePackHeader(entries: readonly BlobEntry[]): Uint8Array {
  const bytes = new Uint8Array(4 + entries.length * ENTRY_SIZE);
  const view = viewOf(bytes);
  view.setUint32(0, entries.length, true);
  entries.forEach((entry, i) => {
    writeEntry(view, bytes, 4 + i * ENTRY_SIZE, entry);
  });
  return bytes;
}

export function decodePackHeader(bytes: Uint8Array): BlobEntry[] {
  const view = viewOf(bytes);
  if (bytes.length < 4) throw new FormatError('truncated pack header');
  const count = view.getUint32(0, true);
  if (bytes.length !== 4 + count * ENTRY_SIZE) throw new FormatError('pack header length mismatch');
  const buffer = bufferOf(bytes);
  const entries: BlobEntry[] = [];
  for (let i = 0; i < count; i++) entries.push(readEntry(view, buffer, 4 + i * ENTRY_SIZE));
  return entries;
}

export function encodePackTrailer(headerLength: number): Uint8Array {
  const bytes = new Uint8Array(PACK_TRAILER_SIZE);
  viewOf(bytes).setUint32(0, headerLength, true);
  bytes.set(PACK_MAGIC, 4);
  return bytes;
}

/** @returns the sealed header's length, read from the last 8 bytes of a pack. */
export function decodePackTrailer(trailer: Uint8Array, packSize: number): number {
  if (trailer.length !== PACK_TRAILER_SIZE || !Buffer.from(trailer.subarray(4)).equals(PACK_MAGIC)) {
    throw new FormatError('not a pack (bad trailer)');
  }
  const headerLength = viewOf(trailer).getUint32(0, true);
  if (headerLength + PACK_TRAILER_SIZE > packSize) throw new FormatError('pack header length out of range');
  return headerLength;
}
