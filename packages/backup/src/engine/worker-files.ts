import { createHash } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  openSync,
  fstatSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { BlobKeys } from './blob-codec.js';
import { BlobDamaged, openBlob } from './blob-codec.js';
import { released } from './reclaim.js';
import { errnoCode } from '../errors.js';
import type { RestoreFile, RestoreFileOutcome, StoredBlob } from './worker-protocol.js';

/** Seconds since the epoch as a double, from nanoseconds in a decimal string. */
export function secondsFromNs(ns: string): number {
  const value = BigInt(ns);
  return Number(value / 1_000_000_000n) + Number(value % 1_000_000_000n) / 1e9;
}

/** Pack file descriptors kept open by one worker (least recently used closed first). */
export class PackFiles {
  private readonly fds = new Map<string, number>();
  constructor(private readonly max = 16) {}

  fd(path: string): number {
    let fd = this.fds.get(path);
    if (fd !== undefined) {
      this.fds.delete(path);
    } else {
      if (this.fds.size >= this.max) {
        const [oldest, oldFd] = this.fds.entries().next().value!;
        this.fds.delete(oldest);
        closeSync(oldFd);
      }
      fd = openSync(path, 'r');
    }
    this.fds.set(path, fd);
    return fd;
  }
}

/** Reads exactly `length` bytes at `position` into `buffer` (from its start). */
function readExactly(fd: number, buffer: Uint8Array, length: number, position: number): Uint8Array {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new BlobDamaged('pack is shorter than the index says');
    done += n;
  }
  return buffer.subarray(0, length);
}

/**
 * One read buffer per worker, reused for every blob: only the decrypted and decompressed copies
 * are fresh allocations (openBlob makes them; the sealed bytes are not kept).
 */
let scratch = new Uint8Array(1024 * 1024);

function scratchOf(length: number): Uint8Array {
  if (scratch.length < length) scratch = new Uint8Array(length);
  return scratch;
}

function readBlob(keys: BlobKeys, packs: PackFiles, blob: StoredBlob, checkId: boolean): Uint8Array {
  let sealed: Uint8Array;
  try {
    sealed = readExactly(packs.fd(blob.packPath), scratchOf(blob.length), blob.length, blob.offset);
  } catch (error) {
    if (error instanceof BlobDamaged) throw new BlobDamaged(`blob ${blob.id}: ${error.message}`);
    const code = (error as { code?: unknown }).code;
    throw new BlobDamaged(`blob ${blob.id} cannot be read (${typeof code === 'string' ? code : 'error'})`);
  }
  return openBlob(keys, blob, sealed, { checkId });
}

/**
 * Writes one restored file in the worker: blobs into `temp`, then mode, mtime (and owner), then
 * renamed to `dest`. Synchronous calls: a worker restores one file at a time, so they block
 * nothing else. @returns the bytes written. @throws BlobDamaged or an errno error; `temp` is gone then.
 */
export function restoreFile(keys: BlobKeys, packs: PackFiles, job: RestoreFile): number {
  const fd = openSync(job.temp, 'wx', 0o600);
  let written = 0;
  try {
    for (const blob of job.blobs) {
      const data = readBlob(keys, packs, blob, job.checkIds);
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
      written += data.length;
      released(data.length + blob.length);
    }
  } catch (error) {
    closeSync(fd);
    unlinkSync(job.temp);
    throw error;
  }
  let open = true;
  try {
    if (job.chown) fchownSync(fd, job.uid, job.gid);
    fchmodSync(fd, job.mode);
    const mtime = secondsFromNs(job.mtimeNs);
    futimesSync(fd, mtime, mtime);
    open = false;
    closeSync(fd);
    renameSync(job.temp, job.dest);
  } catch (error) {
    // Never close twice: worker threads share the descriptor table, the number may be reused.
    if (open) closeSync(fd);
    try {
      unlinkSync(job.temp);
    } catch {
      // Already renamed or never there.
    }
    throw error;
  }
  return written;
}

/**
 * Restores the files of one batch in order. Damaged data and file-system errors end only their
 * file (reported in its outcome); anything else is a bug and ends the batch. @throws the bug.
 */
export function restoreFiles(
  keys: BlobKeys,
  packs: PackFiles,
  files: readonly RestoreFile[],
): RestoreFileOutcome[] {
  return files.map((file): RestoreFileOutcome => {
    try {
      return { ok: true, bytes: restoreFile(keys, packs, file) };
    } catch (error) {
      const code = errnoCode(error);
      const damaged = error instanceof BlobDamaged;
      if (!damaged && code === undefined) throw error;
      return { ok: false, damaged, message: (error as Error).message, ...(code ? { code } : {}) };
    }
  });
}

/**
 * Reads a pack front to back, checks its hash against its name and opens every blob the index
 * lists. One blob at a time through the worker's read buffer, so memory is one blob (plus its
 * opened copies), not the whole pack.
 */
export function verifyPack(
  keys: BlobKeys,
  packId: string,
  packPath: string,
  blobs: readonly StoredBlob[],
): { intact: boolean; damaged: { id: StoredBlob['id']; reason: string }[] } {
  const fd = openSync(packPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const hash = createHash('sha256');
    let hashed = 0;
    /** Hashes the pack's bytes from `hashed` up to `end` (gaps between blobs, header, trailer). */
    const hashUpTo = (end: number) => {
      while (hashed < end) {
        const length = Math.min(scratch.length, end - hashed);
        hash.update(readExactly(fd, scratch, length, hashed));
        hashed += length;
      }
    };
    const damaged: { id: StoredBlob['id']; reason: string }[] = [];
    for (const blob of [...blobs].sort((a, b) => a.offset - b.offset)) {
      try {
        if (blob.offset + blob.length > size)
          throw new BlobDamaged(`blob ${blob.id} lies beyond the end of its pack`);
        hashUpTo(blob.offset);
        const sealed = readExactly(fd, scratchOf(blob.length), blob.length, blob.offset);
        // Overlapping entries (a damaged index) are opened but hashed once.
        if (blob.offset === hashed) {
          hash.update(sealed);
          hashed += blob.length;
        }
        released(openBlob(keys, blob, sealed).length);
      } catch (error) {
        if (!(error instanceof BlobDamaged)) throw error;
        damaged.push({ id: blob.id, reason: error.message });
      }
    }
    hashUpTo(size);
    return { intact: hash.digest('hex') === packId, damaged };
  } finally {
    closeSync(fd);
  }
}
