import { createHash } from 'node:crypto';
import {
  closeSync,
  lchownSync,
  openSync,
  readSync,
  readFileSync,
  renameSync,
  unlinkSync,
  utimesSync,
  writeSync,
  chmodSync,
} from 'node:fs';
import type { BlobKeys } from './blob-codec.js';
import { BlobDamaged, openBlob } from './blob-codec.js';
import type { RestoreJob, StoredBlob } from './worker-protocol.js';

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

function readExactly(fd: number, length: number, position: number): Uint8Array {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new BlobDamaged('pack is shorter than the index says');
    done += n;
  }
  return buffer;
}

function readBlob(keys: BlobKeys, packs: PackFiles, blob: StoredBlob): Uint8Array {
  let sealed: Uint8Array;
  try {
    sealed = readExactly(packs.fd(blob.packPath), blob.length, blob.offset);
  } catch (error) {
    if (error instanceof BlobDamaged) throw new BlobDamaged(`blob ${blob.id}: ${error.message}`);
    const code = (error as { code?: unknown }).code;
    throw new BlobDamaged(`blob ${blob.id} cannot be read (${typeof code === 'string' ? code : 'error'})`);
  }
  return openBlob(keys, blob, sealed);
}

/**
 * Writes one restored file in the worker: blobs into `temp`, then mode, mtime (and owner), then
 * renamed to `dest`. Synchronous calls: a worker restores one file at a time, so they block
 * nothing else. @returns the bytes written. @throws BlobDamaged or an errno error; `temp` is gone then.
 */
export function restoreFile(keys: BlobKeys, packs: PackFiles, job: RestoreJob): number {
  const fd = openSync(job.temp, 'wx', 0o600);
  let written = 0;
  try {
    for (const blob of job.blobs) {
      const data = readBlob(keys, packs, blob);
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
      written += data.length;
    }
  } catch (error) {
    closeSync(fd);
    unlinkSync(job.temp);
    throw error;
  }
  closeSync(fd);
  try {
    if (job.chown) lchownSync(job.temp, job.uid, job.gid);
    chmodSync(job.temp, job.mode);
    const mtime = secondsFromNs(job.mtimeNs);
    utimesSync(job.temp, mtime, mtime);
    renameSync(job.temp, job.dest);
  } catch (error) {
    try {
      unlinkSync(job.temp);
    } catch {
      // Already renamed or never there.
    }
    throw error;
  }
  return written;
}

/** Reads a whole pack, checks its hash against its name and opens every blob the index lists. */
export function verifyPack(
  keys: BlobKeys,
  packId: string,
  packPath: string,
  blobs: readonly StoredBlob[],
): { intact: boolean; damaged: { id: StoredBlob['id']; reason: string }[] } {
  const bytes = readFileSync(packPath);
  const intact = createHash('sha256').update(bytes).digest('hex') === packId;
  const damaged: { id: StoredBlob['id']; reason: string }[] = [];
  for (const blob of blobs) {
    try {
      if (blob.offset + blob.length > bytes.length)
        throw new BlobDamaged(`blob ${blob.id} lies beyond the end of its pack`);
      openBlob(keys, blob, bytes.subarray(blob.offset, blob.offset + blob.length));
    } catch (error) {
      if (!(error instanceof BlobDamaged)) throw error;
      damaged.push({ id: blob.id, reason: error.message });
    }
  }
  return { intact, damaged };
}
