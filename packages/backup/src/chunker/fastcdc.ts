import { createHash } from 'node:crypto';
import { GearScanner } from './gear-scan.js';

/**
 * Content-defined chunking, FastCDC style (Xia et al., USENIX ATC 2016): a gear rolling hash
 * over the last 32 bytes, cut where its top bits are zero, with normalised chunking level 1 (one
 * bit harder before the average size, one bit easier after it) to narrow the size spread, and the
 * first `minSize` bytes of every chunk skipped. Level 1 rather than the paper's 2: measured here,
 * it halves the spread of level 0 while resynchronising after an insertion as fast (level 2
 * narrows the spread further but sometimes needs several chunks to resynchronise). Boundaries depend only on nearby content, so an
 * insertion moves the boundaries around it and no others.
 */
export interface ChunkerParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
}

/** For page-structured files (databases, disk images): one changed 8 KiB page costs ~64 KiB. */
export const PAGE_PROFILE: ChunkerParams = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
/** For everything else: few, large chunks keep the index small. */
export const LARGE_PROFILE: ChunkerParams = {
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4096 * 1024,
};

/** The largest chunk any profile produces. */
export const MAX_CHUNK_SIZE = LARGE_PROFILE.maxSize;

export function checkChunkerParams(params: ChunkerParams): void {
  const { minSize, avgSize, maxSize } = params;
  const log = Math.log2(avgSize);
  if (
    !Number.isInteger(log) ||
    log < 8 ||
    log > 28 ||
    minSize < 64 ||
    minSize > avgSize ||
    maxSize < avgSize
  ) {
    throw new RangeError(
      'chunker: avgSize must be a power of two (2^8..2^28) with 64 ≤ minSize ≤ avgSize ≤ maxSize',
    );
  }
}

/** A mask of the top `bits` bits of a 32-bit hash (the bits that depend on the most input bytes). */
function topBits(bits: number): number {
  return (~0 << (32 - bits)) | 0;
}

/** Cuts chunks for one parameter set and gear table. Stateless between calls: reuse freely. */
export class GearChunker {
  private readonly maskSmall: number;
  private readonly maskLarge: number;
  /** The scan in WebAssembly (same cut points, faster), unless unavailable or not wanted. */
  private readonly scanner: GearScanner | undefined;

  /** `wasm` false: always the JavaScript loop (tests compare the two). */
  constructor(
    readonly params: ChunkerParams,
    private readonly gear: Uint32Array,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    checkChunkerParams(params);
    if (gear.length !== 256) throw new RangeError('chunker: the gear table has 256 entries');
    const bits = Math.log2(params.avgSize);
    this.maskSmall = topBits(bits + 1);
    this.maskLarge = topBits(bits - 1);
    this.scanner = wasm ? GearScanner.create(gear) : undefined;
  }

  /**
   * Length of the chunk that starts at `start`, looking at `data[start, end)`. With `final`
   * false the caller must supply at least `maxSize` bytes (or all that is left) so a cut is
   * never decided on partial input.
   */
  cut(data: Uint8Array, start: number, end: number): number {
    const { minSize, avgSize, maxSize } = this.params;
    let n = end - start;
    if (n <= minSize) return n;
    if (n > maxSize) n = maxSize;
    const normal = start + Math.min(avgSize, n);
    const last = start + n;
    if (this.scanner) {
      const found = this.scanner.find(data, start + minSize, normal, last, this.maskSmall, this.maskLarge);
      return found === -1 ? n : found - start;
    }
    const gear = this.gear;
    const maskSmall = this.maskSmall;
    const maskLarge = this.maskLarge;
    let hash = 0;
    let i = start + minSize;
    for (; i < normal; i++) {
      hash = ((hash << 1) + gear[data[i]!]!) | 0;
      if ((hash & maskSmall) === 0) return i - start + 1;
    }
    for (; i < last; i++) {
      hash = ((hash << 1) + gear[data[i]!]!) | 0;
      if ((hash & maskLarge) === 0) return i - start + 1;
    }
    return n;
  }

  /** All chunk lengths of an in-memory buffer (tests, small inputs). */
  cutAll(data: Uint8Array): number[] {
    const lengths: number[] = [];
    for (let start = 0; start < data.length;) {
      const length = this.cut(data, start, data.length);
      lengths.push(length);
      start += length;
    }
    return lengths;
  }
}

/** A reproducible gear table from a seed (tests and measurements; repositories derive theirs from the key). */
export function gearTableFromSeed(seed: string): Uint32Array {
  const gear = new Uint32Array(256);
  for (let block = 0; block < 32; block++) {
    const digest = createHash('sha256').update(`${seed}/${block}`).digest();
    for (let j = 0; j < 8; j++) gear[block * 8 + j] = digest.readUInt32LE(j * 4);
  }
  return gear;
}

export interface ReadSource {
  /** Reads up to `length` bytes into `buffer` at `offset`; 0 means end of input. */
  read(buffer: Uint8Array, offset: number, length: number): Promise<number>;
}

/** One batch of chunks: views into the reader's buffer, valid only until the next batch is asked for. */
export interface ChunkBatch {
  readonly chunks: readonly Uint8Array[];
  readonly bytes: number;
  /** No input follows this batch. */
  readonly last: boolean;
}

/**
 * The buffer size {@link readChunkBatches} works best with for `batchBytes` and `params`: room for
 * two batches and their lookahead, so the partial chunk at its end is moved to its start rarely.
 */
export function batchBufferSize(params: ChunkerParams, batchBytes: number): number {
  return 2 * (batchBytes + params.maxSize);
}

/**
 * Streams chunks out of `source` in batches of at least `batchBytes` (fewer at the end of the
 * input, or if `buffer` holds less than a batch and a chunk's lookahead) through one caller-owned
 * `buffer`, without copying any chunk: each batch's chunks are views into the buffer and must be
 * used before the next batch is asked for. Memory does not grow with the input; the buffer is
 * replaced by a larger one only if it cannot hold one chunk and its lookahead (a file that grew
 * past its expected size).
 *
 * A cut found within the bytes read so far is final (the gear hash looks only backwards, and the
 * mask depends only on the offset within the chunk); only a chunk that reaches the end of the
 * read bytes, shorter than maxSize, waits for more input. Boundaries are therefore those of
 * {@link GearChunker.cutAll} over the whole input, however the input arrives.
 */
export async function* readChunkBatches(
  source: ReadSource,
  chunker: GearChunker,
  batchBytes: number,
  buffer: Uint8Array,
): AsyncGenerator<ChunkBatch> {
  const { maxSize } = chunker.params;
  let start = 0;
  let end = 0;
  let eof = false;
  for (;;) {
    if (!eof && end - start < batchBytes + maxSize) {
      // Between batches no view is alive: the unconsumed rest moves to the front, then more is read.
      if (start > 0) {
        buffer.copyWithin(0, start, end);
        end -= start;
        start = 0;
      } else if (end === buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, 2 * maxSize));
        grown.set(buffer.subarray(0, end));
        buffer = grown;
      }
      while (!eof && end < buffer.length) {
        const n = await source.read(buffer, end, buffer.length - end);
        if (n === 0) eof = true;
        else end += n;
      }
    }
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    while (bytes < batchBytes && start < end) {
      const available = end - start;
      const length = chunker.cut(buffer, start, end);
      // A chunk ending exactly where the read bytes end might grow with more input.
      if (length === available && !eof && available < maxSize) break;
      chunks.push(buffer.subarray(start, start + length));
      start += length;
      bytes += length;
    }
    if (chunks.length > 0) yield { chunks, bytes, last: eof && start === end };
    else if (eof) return;
  }
}
