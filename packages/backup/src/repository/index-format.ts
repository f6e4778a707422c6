import { ID_LENGTH } from '../format.js';
import {
  ENTRY_SIZE,
  type BlobEntry,
  FormatError,
  bufferOf,
  readEntry,
  viewOf,
  writeEntry,
} from './blob-entry.js';

/** The blobs of one pack, as one index file lists them. */
export interface PackRecord {
  readonly packId: string;
  readonly entries: readonly BlobEntry[];
}

/**
 * Plaintext of an index file: `u32 packs`, then per pack `pack id (32 bytes) ‖ u32 count ‖
 * count × entry`. Sealed as file envelope kind `index`.
 */
export function encodeIndex(packs: readonly PackRecord[]): Uint8Array {
  let size = 4;
  for (const pack of packs) size += ID_LENGTH + 4 + pack.entries.length * ENTRY_SIZE;
  const bytes = new Uint8Array(size);
  const view = viewOf(bytes);
  view.setUint32(0, packs.length, true);
  let at = 4;
  for (const pack of packs) {
    bytes.set(Buffer.from(pack.packId, 'hex'), at);
    view.setUint32(at + ID_LENGTH, pack.entries.length, true);
    at += ID_LENGTH + 4;
    for (const entry of pack.entries) {
      writeEntry(view, bytes, at, entry);
      at += ENTRY_SIZE;
    }
  }
  return bytes;
}

export function decodeIndex(bytes: Uint8Array): PackRecord[] {
  const view = viewOf(bytes);
  const buffer = bufferOf(bytes);
  if (bytes.length < 4) throw new FormatError('truncated index');
  const count = view.getUint32(0, true);
  const packs: PackRecord[] = [];
  let at = 4;
  for (let p = 0; p < count; p++) {
    if (at + ID_LENGTH + 4 > bytes.length) throw new FormatError('truncated index');
    const packId = buffer.toString('hex', at, at + ID_LENGTH);
    const n = view.getUint32(at + ID_LENGTH, true);
    at += ID_LENGTH + 4;
    const entries: BlobEntry[] = [];
    for (let i = 0; i < n; i++) {
      entries.push(readEntry(view, buffer, at));
      at += ENTRY_SIZE;
    }
    packs.push({ packId, entries });
  }
  if (at !== bytes.length) throw new FormatError('trailing bytes in index');
  return packs;
}
