import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { joinSegments, segmentRanges } from './file-segments.js';
import type { FileJobResult } from './worker-pool.js';
import type { HandleStat } from './worker-protocol.js';

const stat = (size: number, mtimeNs = '1'): HandleStat => ({
  size: String(size),
  mtimeNs,
  ctimeNs: '1',
  ino: '9',
  isFile: true,
});
const id = (c: string) => c.repeat(64) as BlobId;
const done = (content: BlobId[], size: number, before: HandleStat, after = before): FileJobResult => ({
  ok: true,
  content,
  size,
  before,
  after,
});

describe('file segments', () => {
  it('cover a file in fixed ranges, the last one open-ended', () => {
    assert.deepEqual(segmentRanges(0, 10), [{ start: 0, end: null }]);
    assert.deepEqual(segmentRanges(10, 10), [{ start: 0, end: null }]);
    assert.deepEqual(segmentRanges(11, 10), [
      { start: 0, end: 10 },
      { start: 10, end: null },
    ]);
    assert.deepEqual(segmentRanges(35, 10), [
      { start: 0, end: 10 },
      { start: 10, end: 20 },
      { start: 20, end: 30 },
      { start: 30, end: null },
    ]);
  });

  it('join into one result: blobs in order, sizes summed, metadata from before the first read', () => {
    const s = stat(25);
    const joined = joinSegments([
      done([id('a'), id('b')], 10, s),
      done([id('c')], 10, s),
      done([id('d')], 5, s),
    ]);
    assert.deepEqual(joined, done([id('a'), id('b'), id('c'), id('d')], 25, s));
  });

  it('report a change seen by any segment as the "after" metadata', () => {
    const s = stat(25);
    const touched = stat(25, '2');
    const joined = joinSegments([
      done([id('a')], 10, s),
      done([id('b')], 15, s, touched),
      done([id('c')], 0, touched),
    ]);
    assert.equal(joined.ok && joined.after, touched);
  });

  it('fail the file when a segment failed', () => {
    const failed: FileJobResult = { ok: false, code: 'EIO', message: 'read error' };
    assert.equal(joinSegments([done([id('a')], 10, stat(20)), failed]), failed);
  });
});
