import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Frees dropped Buffers and decoded trees sooner. Blob bytes live outside the V8 heap, and V8
 * collects them only once tens of MiB of them have piled up in a thread (its external-memory
 * limit); old-generation garbage waits for a heap limit that starts out large. With three
 * threads streaming short-lived blobs that was ~100–250 MB of garbage at the peak. Each thread
 * instead runs a young-generation collection (well under 1 ms in a worker: a blob's buffer object
 * is still young when the blob is dropped, and that collection frees its bytes) after every
 * RECLAIM_EVERY bytes it has let go of, and a full one (tens of ms) every FULL_EVERY of those,
 * for what lived long enough to be promoted. Garbage then stays at a few MiB per worker.
 */
export const RECLAIM_EVERY = 4 * 1024 * 1024;
/**
 * Full collections every 256 MiB released, in every thread. Workers: at 64 MiB they cost tens of
 * ms each and made restore ~20 % slower while saving nothing measurable. Main thread: 64 MiB
 * (kept before 2026-12-06) spent ~1 s of CPU in the first backup of the 1.5 GiB benchmark set;
 * at 256 MiB that backup took ~6 % less CPU, restore peaked at 136-141 MB RSS instead of
 * 132 MB and `check --read-data` stayed at ~125-130 MB.
 */
const FULL_EVERY = 64;

/**
 * Heap garbage that encoding or decoding a tree leaves, per byte of its JSON: the string, the
 * parsed objects, the checked copy, later the evicted cache entry. Measured: with 16, the main
 * thread of `check` on the 1.5 GiB benchmark repository peaks at ~130 MB RSS instead of ~170 MB
 * (its live heap is ~28 MB; V8 alone let old garbage grow to ~85 MB before a full collection).
 */
export const TREE_GARBAGE_FACTOR = 16;

type Collect = (full: boolean) => void;

/**
 * V8's `gc` function for this thread, the way Jest gets it for `--logHeapUsage`: set the flag
 * and pick the function up from a fresh context. The flag is process-wide and left set: turning
 * it off again could race with another thread picking up its own. Undefined if refused.
 */
function loadCollect(): Collect | undefined {
  try {
    if (typeof globalThis.gc !== 'function') setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc !== 'function') return undefined;
    // No argument: a full collection (V8 treats `{ type: 'major' }` as a young-generation one).
    const run = gc as (options?: { type: 'minor' }) => unknown;
    return (full) => {
      if (full) run();
      else run({ type: 'minor' });
    };
  } catch {
    return undefined;
  }
}

/** Undefined: not looked up yet; null: not available (then V8's own heuristics are all there is). */
let collect: Collect | null | undefined;
let dropped = 0;
let collections = 0;

/** Records that `bytes` of Buffers became garbage in this thread; collects once RECLAIM_EVERY have. */
export function released(bytes: number): void {
  dropped += bytes;
  if (dropped < RECLAIM_EVERY) return;
  dropped = 0;
  if (collect === undefined) collect = loadCollect() ?? null;
  collections++;
  collect?.(collections % FULL_EVERY === 0);
}
