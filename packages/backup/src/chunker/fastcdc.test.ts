import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { seededBytes } from '../testing/fixtures.js';
import {
  type ChunkerParams,
  GearChunker,
  LARGE_PROFILE,
  PAGE_PROFILE,
  gearTableFromSeed,
  readChunkBatches,
} from './fastcdc.js';
import { chunkerProfileFor } from './profile.js';

/** Small sizes so properties can be checked on small inputs quickly. */
const SMALL: ChunkerParams = { minSize: 256, avgSize: 1024, maxSize: 4096 };
const gear = gearTableFromSeed('test');

/** Chunk lengths as readChunkBatches cuts them, checking each chunk's bytes while it is valid. */
async function streamed(
  data: Uint8Array,
  chunker: GearChunker,
  readSizes: readonly number[],
  bufferSize: number,
  batchBytes = 2000,
): Promise<number[]> {
  let at = 0;
  let call = 0;
  const source = {
    read(buffer: Uint8Array, offset: number, length: number) {
      const n = Math.min(length, data.length - at, readSizes[call++ % readSizes.length]!);
      buffer.set(data.subarray(at, at + n), offset);
      at += n;
      return Promise.resolve(n);
    },
  };
  const lengths: number[] = [];
  let consumed = 0;
  let sawLast = false;
  for await (const batch of readChunkBatches(source, chunker, batchBytes, new Uint8Array(bufferSize))) {
    assert.equal(sawLast, false, 'nothing follows the last batch');
    let bytes = 0;
    for (const chunk of batch.chunks) {
      assert.deepEqual(chunk, data.subarray(consumed, consumed + chunk.length));
      consumed += chunk.length;
      bytes += chunk.length;
      lengths.push(chunk.length);
    }
    assert.equal(batch.bytes, bytes);
    if (!batch.last && bufferSize >= batchBytes + chunker.params.maxSize)
      assert.ok(bytes >= batchBytes, `a batch before the last holds ${bytes} bytes`);
    sawLast = batch.last;
  }
  return lengths;
}

const digests = (data: Uint8Array, lengths: readonly number[]) => {
  const out: string[] = [];
  let at = 0;
  for (const length of lengths) {
    out.push(
      createHash('sha256')
        .update(data.subarray(at, at + length))
        .digest('hex'),
    );
    at += length;
  }
  return out;
};

describe('GearChunker', () => {
  it('is deterministic and covers the input exactly, within the size bounds', () => {
    const chunker = new GearChunker(SMALL, gear);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40_000, size: 'max' }), (data) => {
        const lengths = chunker.cutAll(data);
        assert.deepEqual(chunker.cutAll(data), lengths);
        assert.equal(
          lengths.reduce((a, b) => a + b, 0),
          data.length,
        );
        lengths.forEach((length, i) => {
          assert.ok(length <= SMALL.maxSize, `chunk ${i} is ${length} bytes`);
          if (i < lengths.length - 1) assert.ok(length >= SMALL.minSize, `chunk ${i} is ${length} bytes`);
          assert.ok(length > 0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('cuts the same boundaries however the input is read (streaming = whole buffer)', async () => {
    const chunker = new GearChunker(SMALL, gear);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 30_000, size: 'max' }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 40_000 }),
        fc.integer({ min: 1, max: 12_000 }),
        async (data, readSizes, bufferSize, batchBytes) => {
          // Any buffer size (too small for one chunk: it grows, as for a file that grew) and batch size: same cuts.
          assert.deepEqual(
            await streamed(data, chunker, readSizes, bufferSize, batchBytes),
            chunker.cutAll(data),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps the chunks after an insertion: boundaries resynchronise', () => {
    const chunker = new GearChunker(SMALL, gear);
    /** Where each chunk ends. */
    const ends = (lengths: readonly number[]) => {
      let at = 0;
      return lengths.map((length) => (at += length));
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 199_999 }),
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        (seed, position, inserted) => {
          const original = seededBytes(`shift/${seed}`, 200_000);
          const changed = new Uint8Array(original.length + inserted.length);
          changed.set(original.subarray(0, position), 0);
          changed.set(inserted, position);
          changed.set(original.subarray(position), position + inserted.length);
          const before = ends(chunker.cutAll(original));
          // Cuts of the changed data, moved back by the insertion where they lie after it (a cut
          // inside the inserted bytes has no place in the original: NaN, equal to no cut).
          const after = ends(chunker.cutAll(changed)).map((end) =>
            end >= position + inserted.length ? end - inserted.length : end <= position ? end : Number.NaN,
          );
          // Every cut before the insertion stays where it was (a cut depends only on the bytes
          // since the previous one).
          const unchanged = before.filter((end) => end <= position);
          assert.deepEqual(after.slice(0, unchanged.length), unchanged);
          // After the insertion the cuts meet the old ones again, and from the first shared cut
          // on they are the same: every chunk after it is kept. (How soon they meet is measured
          // by the next test.)
          const old = new Set(before);
          const met = after.findIndex((end, i) => i >= unchanged.length && end > position && old.has(end));
          assert.ok(met >= 0, 'the cuts meet again (at the latest at the end of the data)');
          assert.deepEqual(after.slice(met), before.slice(before.indexOf(after[met]!)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('loses on average less than two chunks to an insertion', () => {
    const chunker = new GearChunker(SMALL, gear);
    let lost = 0;
    const runs = 100;
    for (let run = 0; run < runs; run++) {
      const original = seededBytes(`insert/${run}`, 100_000);
      const position = (run * 7919) % original.length;
      const changed = new Uint8Array(original.length + 1 + (run % 50));
      changed.set(original.subarray(0, position), 0);
      changed.set(original.subarray(position), changed.length - (original.length - position));
      const before = new Set(digests(original, chunker.cutAll(original)));
      const after = new Set(digests(changed, chunker.cutAll(changed)));
      lost += [...before].filter((digest) => !after.has(digest)).length;
    }
    assert.ok(lost / runs < 2, `lost ${lost / runs} chunks per insertion on average`);
  });

  it('averages near the target size on random data', () => {
    for (const params of [PAGE_PROFILE, LARGE_PROFILE]) {
      const chunker = new GearChunker(params, gear);
      const data = seededBytes('average', params.avgSize * 48);
      const lengths = chunker.cutAll(data);
      const mean = data.length / lengths.length;
      assert.ok(
        mean > params.avgSize * 0.7 && mean < params.avgSize * 1.6,
        `mean ${mean} for avg ${params.avgSize}`,
      );
    }
  });

  it('depends on the gear table (boundaries differ between repositories)', () => {
    const data = seededBytes('tables', 100_000);
    const a = new GearChunker(SMALL, gearTableFromSeed('a')).cutAll(data);
    const b = new GearChunker(SMALL, gearTableFromSeed('b')).cutAll(data);
    assert.notDeepEqual(a, b);
  });

  it('refuses bad parameters', () => {
    assert.throws(() => new GearChunker({ minSize: 100, avgSize: 1000, maxSize: 4000 }, gear), RangeError);
    assert.throws(() => new GearChunker({ minSize: 2048, avgSize: 1024, maxSize: 4096 }, gear), RangeError);
    assert.throws(() => new GearChunker(SMALL, new Uint32Array(10)), RangeError);
  });
});

describe('chunkerProfileFor', () => {
  it('uses small chunks for page-structured files and large ones otherwise', () => {
    assert.equal(chunkerProfileFor('patients.FDB', 10 * 1024 * 1024 + 1), PAGE_PROFILE);
    assert.equal(chunkerProfileFor('data.bin', 300 * 8192), PAGE_PROFILE);
    assert.equal(chunkerProfileFor('video.mp4', 10 * 1024 * 1024 + 3), LARGE_PROFILE);
    assert.equal(chunkerProfileFor('small.sqlite', 64 * 1024), LARGE_PROFILE);
  });
});
