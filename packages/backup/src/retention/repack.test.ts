import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { BlobType, Codec } from '../format.js';
import type { BlobEntry } from '../repository/blob-entry.js';
import { type PackUse, packsWorthRewriting } from './repack.js';

const entry = (length: number): BlobEntry => ({
  type: BlobType.data,
  codec: Codec.none,
  id: 'x'.repeat(64) as BlobId,
  offset: 0,
  length,
  rawLength: length,
});
const pack = (name: string, keep: number, drop: number): PackUse & { name: string } => ({
  name,
  keep: [entry(keep)],
  drop: [entry(drop)],
});

describe('packsWorthRewriting', () => {
  const a = pack('a', 90, 10); // 10 unneeded
  const b = pack('b', 50, 50); // 50 unneeded
  const c = pack('c', 70, 30); // 30 unneeded
  const names = (chosen: Set<PackUse & { name: string }>) => [...chosen].map((p) => p.name).sort();

  it('rewrites every partly needed pack with a limit of 0', () => {
    assert.deepEqual(names(packsWorthRewriting([a, b, c], [], 700, 0)), ['a', 'b', 'c']);
  });

  it('rewrites the packs with the most unneeded bytes first, until the rest is within the limit', () => {
    // 90 unneeded of 1000 stored: over 5 %; after b (50): 40 of 950 = 4.2 %.
    assert.deepEqual(names(packsWorthRewriting([a, b, c], [], 700, 0.05)), ['b']);
    // Within 10 % already: nothing.
    assert.deepEqual(names(packsWorthRewriting([a, b, c], [], 700, 0.1)), []);
  });

  it('counts packs that cannot be rewritten (locked) but never picks them', () => {
    // 90 + 50 unneeded of 1000 stored: after c (30) and a (10) still 50 of 960 > 5 %.
    assert.deepEqual(names(packsWorthRewriting([a, c], [b], 700, 0.05)), ['a', 'c']);
  });
});
