import { closeSync, constants, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import {
  PREFETCH_READING,
  PREFETCH_STOP,
  type PrefetchHint,
  type PrefetchSetup,
} from './prefetch-protocol.js';
import { SMALL_FILE_BYTES } from './worker-protocol.js';

// Entry of the prefetch worker: reads small files the blob workers are about to read, a few dozen
// ahead of them, so that their contents are in the page cache when a blob worker's synchronous
// read comes. The bytes are dropped. See prefetch.ts.
const setup = workerData as PrefetchSetup;
const port = parentPort;
if (!port) throw new Error('prefetch-worker must run in a worker thread');
const control = new Int32Array(setup.control);
/** Prefetched files are small files (at most SMALL_FILE_BYTES): one read each. */
const scratch = new Uint8Array(SMALL_FILE_BYTES);

const stopped = () => Atomics.load(control, PREFETCH_STOP) !== 0;

/** Waits while file `seq` is more than `aheadFiles` ahead of the workers; false once stopped. */
function waitForRoom(seq: number): boolean {
  for (;;) {
    if (stopped()) return false;
    const reading = Atomics.load(control, PREFETCH_READING);
    if (seq - reading < setup.aheadFiles) return true;
    Atomics.wait(control, PREFETCH_READING, reading, 100);
  }
}

function prefetch(path: string): void {
  let fd: number;
  try {
    // Non-blocking: a FIFO put in a file's place must not hold this thread (or close()) forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return; // the blob worker meets the error again and reports it
  }
  try {
    readSync(fd, scratch, 0, scratch.length, 0);
  } catch {
    // as above
  } finally {
    closeSync(fd);
  }
}

port.on('message', ({ first, paths }: PrefetchHint) => {
  for (const [i, path] of paths.entries()) {
    const seq = first + i;
    if (seq < Atomics.load(control, PREFETCH_READING)) continue; // a blob worker got there first
    if (!waitForRoom(seq)) return;
    prefetch(path);
  }
});
