import { ID_LENGTH, isBlobType, isCodec } from '../format.js';
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

/** Where one pack's part of an encoded index starts, and how many entries it lists. */
export interface PackSpan {
  /** Offset of the pack id; its entries follow the id and the count. */
  readonly at: number;
  readonly count: number;
}

/**
 * The packs of an encoded index, after checking all of it: bounds, every entry's type and
 * codec, no trailing bytes. @throws FormatError
 */
export function indexPackSpans(bytes: Uint8Array): PackSpan[] {
  const view = viewOf(bytes);
  if (bytes.length < 4) throw new FormatError('truncated index');
  const packCount = view.getUint32(0, true);
  const spans: PackSpan[] = [];
  let at = 4;
  for (let p = 0; p < packCount; p++) {
    if (at + ID_LENGTH + 4 > bytes.length) throw new FormatError('truncated index');
    const count = view.getUint32(at + ID_LENGTH, true);
    let entry = at + ID_LENGTH + 4;
    if (entry + count * ENTRY_SIZE > bytes.length) throw new FormatError('truncated blob entry');
    for (let i = 0; i < count; i++, entry += ENTRY_SIZE) {
      if (!isBlobType(bytes[entry]!)) throw new FormatError(`unknown blob type ${bytes[entry]}`);
      if (!isCodec(bytes[entry + 1]!)) throw new FormatError(`unknown codec ${bytes[entry + 1]}`);
    }
    spans.push({ at, count });
    at = entry;
  }
  if (at !== bytes.length) throw new FormatError('trailing bytes in index');
  return spans;
}

export function decodeIndex(bytes: Uint8Array): PackRecord[] {
  const view = viewOf(bytes);
  const buffer = bufferOf(bytes);
  return indexPackSpans(bytes).map(({ at, count }) => {
    const entries: BlobEntry[] = [];
    for (let i = 0, entry = at + ID_LENGTH + 4; i < count; i++, entry += ENTRY_SIZE) {
      entries.push(readEntry(view, buffer, entry));
    }
    return { packId: buffer.toString('hex', at, at + ID_LENGTH), entries };
  });
}
