import { lstatSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { errnoCode } from '../errors.js';
import { compareNames } from '../repository/tree.js';
import { childPath } from './child-path.js';
import { type EntryStat, entryStat } from './entry-stat.js';
import { listingDigest } from './listing-digest.js';
import {
  CONTROL_STOP,
  CONTROL_TAKEN,
  type DirListing,
  type FromStatWorker,
  type StatWorkerSetup,
  listingWeight,
} from './stat-protocol.js';

// Entry of the stat worker: walks the backup's sources ahead of the archiver, in the same order
// (depth-first, names sorted as in trees), and hands over each directory's names with every
// entry's lstat. The archiver then finds the metadata of a whole directory ready instead of
// waiting for one lstat after another, and the kernel reads the inodes while the main thread
// derives the key, loads the index and compares. See stat-ahead.ts.
const setup = workerData as StatWorkerSetup;
const port = parentPort;
if (!port) throw new Error('stat-worker must run in a worker thread');
const control = new Int32Array(setup.control);
const skip = new Set(setup.skip);
let listed = 0;

/**
 * Directories whose names are read ahead at most. Their reads wait for the disk on libuv's
 * threads while this one stats; one after another, a cold walk of the benchmark's 207
 * directories spent ~0.13 s in them.
 */
const READ_AHEAD_DIRS = 32;
const readAhead = new Map<string, Promise<string[]>>();

function readAheadNames(dirs: readonly string[]): void {
  for (const dir of dirs) {
    if (readAhead.size >= READ_AHEAD_DIRS) return;
    if (readAhead.has(dir)) continue;
    const names = readdir(dir);
    names.catch(() => undefined); // met again when the walk gets there
    readAhead.set(dir, names);
  }
}

function namesIn(dir: string): Promise<string[]> {
  const ahead = readAhead.get(dir);
  if (ahead === undefined) return readdir(dir);
  readAhead.delete(dir);
  return ahead;
}

const post = (message: FromStatWorker) => {
  port.postMessage(message);
};

function stopped(): boolean {
  return Atomics.load(control, CONTROL_STOP) !== 0;
}

/** Waits while the archiver has more than the limit listed but not yet taken. */
function keepPace(): void {
  for (;;) {
    if (stopped()) return;
    const taken = Atomics.load(control, CONTROL_TAKEN);
    if (listed - taken <= setup.aheadLimit) return;
    Atomics.wait(control, CONTROL_TAKEN, taken, 1000);
  }
}

function statOf(path: string): EntryStat | string {
  try {
    return entryStat(lstatSync(path, { bigint: true }));
  } catch (error) {
    return errnoCode(error) ?? 'EIO';
  }
}

async function walk(dir: string): Promise<void> {
  if (stopped()) return;
  let names: string[];
  try {
    names = (await namesIn(dir)).sort(compareNames);
  } catch {
    listed += listingWeight(undefined);
    post({ op: 'unlisted', dir });
    keepPace();
    return;
  }
  const stats = names.map((name) => statOf(childPath(dir, name)));
  const listing: DirListing = { dir, names, stats, digest: listingDigest(names, stats) };
  listed += listingWeight(listing);
  post({ op: 'listing', listing });
  keepPace();
  const subdirs = names
    .filter((_, i) => {
      const stat = listing.stats[i]!;
      return typeof stat !== 'string' && stat.kind === 'dir';
    })
    .map((name) => childPath(dir, name))
    .filter((path) => !skip.has(path));
  readAheadNames(subdirs);
  for (const subdir of subdirs) await walk(subdir);
}

for (const source of setup.sources) {
  const stat = statOf(source);
  if (typeof stat !== 'string' && stat.kind === 'dir' && !skip.has(source)) await walk(source);
}
post({ op: 'done' });
