import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecryptionError } from '../keys/errors.js';
import { generateDataKey } from '../keys/key-types.js';
import { chunkPlaintext, openChunks } from './chunk-stream.js';
import {
  DOCUMENT_CHUNK_OVERHEAD,
  DocumentCipher,
  documentChunkCount,
  sealedChunkLength,
} from './document-cipher.js';

const context = {
  practiceId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  recordId: '0b4c7a1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b',
  documentId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
};
const CHUNK = 1000;

async function* pieces(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function* list<T>(items: readonly T[]) {
  yield* items;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

async function sealAll(cipher: DocumentCipher, plaintext: Uint8Array, pieceSize = 333) {
  const sealed: Uint8Array[] = [];
  for await (const chunk of chunkPlaintext(pieces(plaintext, pieceSize), CHUNK)) {
    sealed.push(await cipher.seal(chunk.index, chunk.final, chunk.bytes));
  }
  return sealed;
}

describe('document chunk encryption', () => {
  const dataKey = generateDataKey();
  const plaintext = crypto.getRandomValues(new Uint8Array(3500));

  it('round-trips through fixed-size chunks, whatever the piece sizes', async () => {
    const cipher = await DocumentCipher.create(dataKey, context);
    for (const pieceSize of [1, 333, 1000, 1500, 2000, 4096]) {
      const sealed = await sealAll(cipher, plaintext, pieceSize);
      assert.equal(sealed.length, documentChunkCount(plaintext.length, CHUNK));
      sealed.forEach((chunk, i) => {
        assert.equal(chunk.length, sealedChunkLength(plaintext.length, i, CHUNK));
      });
      assert.deepEqual(await collect(openChunks(cipher, list(sealed))), plaintext);
    }
  });

  it('hands on whole chunks inside a piece as views of it, and copies only chunks spanning pieces', async () => {
    const source = plaintext.slice();
    const chunks = [];
    for await (const chunk of chunkPlaintext(pieces(source, 2500), CHUNK)) chunks.push(chunk);
    assert.deepEqual(
      chunks.map((c) => [c.index, c.final, c.bytes.length, c.bytes.buffer === source.buffer]),
      [
        [0, false, 1000, true],
        [1, false, 1000, true],
        [2, false, 1000, false], // 500 bytes from each of the two pieces
        [3, true, 500, false],
      ],
    );
    assert.deepEqual(new Uint8Array(Buffer.concat(chunks.map((c) => c.bytes))), plaintext);
  });

  it('seals into two parts that open, put together, like a sealed chunk', async () => {
    const cipher = await DocumentCipher.create(dataKey, context);
    const [nonce, ciphertext] = await cipher.sealParts(0, true, plaintext.subarray(0, 700));
    assert.equal(nonce.length + ciphertext.length, sealedChunkLength(700, 0, CHUNK));
    const sealed = new Uint8Array(Buffer.concat([nonce, ciphertext]));
    assert.deepEqual(await cipher.open(0, true, sealed), plaintext.subarray(0, 700));
    await assert.rejects(cipher.open(0, false, sealed), DecryptionError);
  });

  it('handles empty documents and exact multiples of the chunk size', async () => {
    const cipher = await DocumentCipher.create(dataKey, context);
    const empty = await sealAll(cipher, new Uint8Array(0));
    assert.equal(empty.length, 1);
    assert.equal(empty[0]!.length, DOCUMENT_CHUNK_OVERHEAD);
    assert.deepEqual(await collect(openChunks(cipher, list(empty))), new Uint8Array(0));
    const exact = plaintext.subarray(0, 2 * CHUNK);
    const sealed = await sealAll(cipher, exact);
    assert.equal(sealed.length, 2);
    assert.deepEqual(await collect(openChunks(cipher, list(sealed))), exact);
  });

  it('detects tampering, reordering, truncation, duplication and appended chunks', async () => {
    const cipher = await DocumentCipher.create(dataKey, context);
    const sealed = await sealAll(cipher, plaintext);
    assert.equal(sealed.length, 4);
    const [a, b, c, d] = sealed as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const flipped = c.slice();
    flipped[40]! ^= 1;
    const attacks: [string, Uint8Array[]][] = [
      ['bit flip', [a, b, flipped, d]],
      ['reordered', [a, c, b, d]],
      ['truncated after a full chunk', [a, b, c]],
      ['final chunk dropped, nothing else', [a]],
      ['duplicated chunk', [a, b, b, c, d]],
      ['appended after final', [a, b, c, d, d]],
      ['no chunks at all', []],
      ['cut inside a chunk', [a, b, c, d.subarray(0, d.length - 1)]],
    ];
    for (const [name, chunks] of attacks) {
      await assert.rejects(collect(openChunks(cipher, list(chunks))), DecryptionError, name);
    }
  });

  it('binds the practice, the document and the record key', async () => {
    const cipher = await DocumentCipher.create(dataKey, context);
    const sealed = await sealAll(cipher, plaintext);
    const others = [
      await DocumentCipher.create(dataKey, { ...context, documentId: context.recordId }),
      await DocumentCipher.create(dataKey, { ...context, practiceId: context.documentId }),
      await DocumentCipher.create(generateDataKey(), context),
    ];
    for (const other of others) {
      await assert.rejects(collect(openChunks(other, list(sealed))), DecryptionError);
    }
  });

  it('computes chunk counts and sealed lengths', () => {
    assert.equal(documentChunkCount(0, CHUNK), 1);
    assert.equal(documentChunkCount(1000, CHUNK), 1);
    assert.equal(documentChunkCount(1001, CHUNK), 2);
    assert.equal(sealedChunkLength(1001, 0, CHUNK), 1000 + DOCUMENT_CHUNK_OVERHEAD);
    assert.equal(sealedChunkLength(1001, 1, CHUNK), 1 + DOCUMENT_CHUNK_OVERHEAD);
    assert.throws(() => sealedChunkLength(1001, 2, CHUNK), RangeError);
    assert.throws(() => documentChunkCount(-1), RangeError);
  });
});
