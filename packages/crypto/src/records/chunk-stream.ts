import { DecryptionError } from '../keys/errors.js';
import { DOCUMENT_CHUNK_SIZE, type DocumentCipher } from './document-cipher.js';

/**
 * Streaming helpers around {@link DocumentCipher}: re-chunking a plaintext stream into fixed-size
 * chunks (knowing which one is final), and opening a sequence of sealed chunks in order. Memory
 * use is bounded by two chunks, whatever the document's size.
 */

export interface PlainChunk {
  readonly index: number;
  readonly final: boolean;
  readonly bytes: Uint8Array;
}

type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

async function* iterate(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (!('getReader' in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Cuts a byte stream into chunks of exactly `chunkSize` bytes (the final one shorter, or empty for
 * an empty stream) and flags the final one. Buffers at most two chunks. A chunk that lies whole
 * inside one piece of the stream is handed on as a view of that piece, not copied.
 */
export async function* chunkPlaintext(
  source: ByteSource,
  chunkSize = DOCUMENT_CHUNK_SIZE,
): AsyncGenerator<PlainChunk> {
  let buffer = new Uint8Array(chunkSize);
  let filled = 0;
  let pending: Uint8Array | undefined;
  let index = 0;
  for await (const piece of iterate(source)) {
    let offset = 0;
    while (offset < piece.length) {
      let full: Uint8Array;
      if (filled === 0 && piece.length - offset >= chunkSize) {
        // A whole chunk inside the piece (a source reading in chunk-sized pieces): no copy.
        full = piece.subarray(offset, offset + chunkSize);
        offset += chunkSize;
      } else {
        const take = Math.min(chunkSize - filled, piece.length - offset);
        buffer.set(piece.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled < chunkSize) continue;
        full = buffer;
        buffer = new Uint8Array(chunkSize);
        filled = 0;
      }
      if (pending !== undefined) yield { index: index++, final: false, bytes: pending };
      pending = full;
    }
  }
  if (filled > 0 || pending === undefined) {
    if (pending !== undefined) yield { index: index++, final: false, bytes: pending };
    yield { index, final: true, bytes: buffer.slice(0, filled) };
  } else {
    yield { index, final: true, bytes: pending };
  }
}

/**
 * Opens sealed chunks in the order given. Every chunk must open at its position, and the last one
 * must have been sealed as final: reordered, duplicated, dropped or appended chunks and a
 * truncated document all throw {@link DecryptionError}.
 */
export async function* openChunks(
  cipher: DocumentCipher,
  sealed: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let held: Uint8Array | undefined;
  let index = 0;
  for await (const chunk of sealed) {
    if (held !== undefined) yield await cipher.open(index++, false, held);
    held = chunk;
  }
  if (held === undefined) throw new DecryptionError();
  yield await cipher.open(index, true, held);
}
