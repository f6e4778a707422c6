import type { FileJobResult } from './worker-pool.js';
import type { ByteRange, HandleStat } from './worker-protocol.js';

/**
 * Large files are read as segments of this many bytes, each a job of its own, so that one big
 * changed file (a practice database) keeps every worker busy instead of one. The chunker starts
 * afresh at each segment start: a fixed offset, so unchanged segments give the same chunks in
 * every run; an insertion costs one extra chunk per segment it shifts, as at any cut.
 */
export const SEGMENT_BYTES = 32 * 1024 * 1024;

/** The byte ranges a file of `size` bytes is read in; the last one reads to the end of the file. */
export function segmentRanges(size: number, segmentBytes = SEGMENT_BYTES): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (let start = 0; start + segmentBytes < size; start += segmentBytes) {
    ranges.push({ start, end: start + segmentBytes });
  }
  ranges.push({ start: ranges.length * segmentBytes, end: null });
  return ranges;
}

const sameStat = (a: HandleStat, b: HandleStat) =>
  a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;

/**
 * One file's result from its segments' results, in order: the blobs one after the other, the
 * metadata seen before the first read, and as "after" the first metadata that differs from it
 * (so the caller notices a file that changed while any segment was read). A failed segment fails
 * the file.
 */
export function joinSegments(results: readonly FileJobResult[]): FileJobResult {
  const failed = results.find((result) => !result.ok);
  if (failed !== undefined) return failed;
  const done = results as readonly Extract<FileJobResult, { ok: true }>[];
  const first = done[0];
  if (first === undefined) throw new RangeError('a file has at least one segment');
  if (done.length === 1) return first;
  const before = first.before;
  const differing = done.flatMap((r) => [r.before, r.after]).find((stat) => !sameStat(stat, before));
  return {
    ok: true,
    content: done.flatMap((r) => r.content),
    size: done.reduce((sum, r) => sum + r.size, 0),
    before,
    after: differing ?? done[done.length - 1]!.after,
  };
}
