import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readingAhead } from './read-ahead.js';

describe('readingAhead', () => {
  it('yields every item in order with its result, reading at most `ahead` items beyond it', async () => {
    let inFlight = 0;
    let most = 0;
    const read = async (n: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (10 - n) % 4));
      inFlight--;
      return n * 2;
    };
    const seen: [number, number][] = [];
    for await (const [n, result] of readingAhead([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, read)) {
      seen.push([n, await result]);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 10 }, (_, n) => [n, n * 2]),
    );
    assert.ok(most <= 4 && most > 1, `at most 4 reads at once, saw ${most}`);
  });

  it('hands each failure to the caller at its turn, and leaves none unhandled when the caller stops', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const read = async (n: number) => {
        if (n % 2 === 1) throw new Error(`bad ${n}`);
        return n;
      };
      for await (const [n, result] of readingAhead([0, 1, 2, 3, 4, 5], 4, read)) {
        if (n === 0) assert.equal(await result, 0);
        if (n === 1) {
          await assert.rejects(result, /bad 1/);
          break; // 3 and 5 were started and fail unobserved
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
