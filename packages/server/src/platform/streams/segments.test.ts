import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamSegments } from './segments.js';

async function* pieces(...sizes: number[]): AsyncGenerator<Uint8Array> {
  let value = 0;
  for (const size of sizes) {
    yield Uint8Array.from({ length: size }, () => value++ % 256);
  }
}

async function collect(segment: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const piece of segment) out.push(...piece);
  return out;
}

describe('StreamSegments', () => {
  it('cuts pieces of any size into segments of the asked lengths, in order', async () => {
    const segments = new StreamSegments(pieces(3, 0, 7, 1, 5));
    assert.deepEqual(await collect(segments.next(4)), [0, 1, 2, 3]);
    assert.deepEqual(await collect(segments.next(10)), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    assert.equal(await segments.atEnd(), false);
    assert.deepEqual(await collect(segments.next(2)), [14, 15]);
    assert.equal(await segments.atEnd(), true);
    assert.deepEqual(await collect(segments.next(3)), []);
  });

  it('ends a segment early when the stream ends, and reports extra bytes', async () => {
    const short = new StreamSegments(pieces(5));
    assert.deepEqual((await collect(short.next(8))).length, 5);
    assert.equal(await short.atEnd(), true);
    const long = new StreamSegments(pieces(5));
    assert.equal((await collect(long.next(4))).length, 4);
    assert.equal(await long.atEnd(), false);
  });
});
