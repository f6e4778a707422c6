import { type Hash, createHash } from 'node:crypto';
import type { BlobId } from '../crypto/blob-id.js';
import { type BlobType, type Codec, PACK_TARGET_SIZE } from '../format.js';
import { type TempFile, commitTempFile, createTempFile, discardTempFile } from '../repository/atomic-file.js';
import type { BlobEntry } from '../repository/blob-entry.js';
import { sealFile } from '../repository/file-envelope.js';
import type { PackRecord } from '../repository/index-format.js';
import { encodePackHeader, encodePackTrailer } from '../repository/pack-format.js';
import type { Repository } from '../repository/repository.js';

export interface PendingBlob {
  readonly type: BlobType;
  readonly id: BlobId;
  readonly codec: Codec;
  readonly sealed: Uint8Array;
  readonly rawLength: number;
}

interface OpenPack {
  readonly temp: TempFile;
  readonly hash: Hash;
  readonly entries: BlobEntry[];
  size: number;
  /** Sealed blobs added but not yet written (see WRITE_BYTES). */
  unwritten: Uint8Array[];
  unwrittenBytes: number;
}

/**
 * Blobs are written in runs of about this many bytes: one system call (a thread-pool round trip)
 * per run instead of per small file. Unwritten blobs are as safe as written ones: a pack counts
 * only once finished, fsynced and named by an index file.
 */
const WRITE_BYTES = 1024 * 1024;

/** Packs being fsynced and renamed while the next one fills; more than this and adding waits. */
const MAX_FINISHING = 2;

/**
 * Appends sealed blobs to a pack in `tmp/`; past the target size it writes the sealed header and
 * trailer, fsyncs, renames the pack to `data/<id[0..2]>/<id>`, fsyncs the directory, then reports
 * it (so an index may name it). That finishing runs in the background while the next pack
 * fills. Calls are serialised internally, so callers may add concurrently.
 */
export class PackWriter {
  private current: OpenPack | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly finishing = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly onPackWritten: (pack: PackRecord, size: number) => Promise<void>,
    private readonly targetSize = PACK_TARGET_SIZE,
  ) {}

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return task();
    });
    // A step that failed left the open pack unknown (a write may have ended half-way): every
    // later call fails with it, so that pack is never finished and reported.
    this.queue = result.catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
    return result;
  }

  /**
   * Appends blobs to the open pack. Resolves once they are written or buffered for the next run
   * of writes (WRITE_BYTES), not yet durable.
   */
  add(blobs: readonly PendingBlob[]): Promise<void> {
    return this.serial(async () => {
      if (blobs.length === 0) return;
      const pack = this.current ?? (this.current = await this.start());
      for (const blob of blobs) {
        pack.unwritten.push(blob.sealed);
        pack.unwrittenBytes += blob.sealed.length;
        pack.hash.update(blob.sealed);
        pack.entries.push({
          type: blob.type,
          codec: blob.codec,
          id: blob.id,
          offset: pack.size,
          length: blob.sealed.length,
          rawLength: blob.rawLength,
        });
        pack.size += blob.sealed.length;
      }
      if (pack.unwrittenBytes >= WRITE_BYTES) await writeUnwritten(pack);
      if (pack.size >= this.targetSize) {
        this.current = undefined;
        this.finishInBackground(pack);
        while (this.finishing.size >= MAX_FINISHING) await Promise.race(this.finishing);
      }
    });
  }

  /** Closes the open pack, if any, and waits until every pack is durable and reported. */
  flush(): Promise<void> {
    return this.serial(async () => {
      const pack = this.current;
      this.current = undefined;
      if (pack) this.finishInBackground(pack);
      while (this.finishing.size > 0) await Promise.allSettled(this.finishing);
      if (this.failure) throw this.failure;
    });
  }

  /**
   * Drops the open pack (after a failure): its blobs were never indexed. Every later call fails,
   * so jobs still running when the caller gave up cannot start a new pack behind its back.
   */
  async abort(): Promise<void> {
    this.failure ??= new Error('the pack writer was aborted');
    await this.queue;
    await Promise.allSettled(this.finishing);
    const pack = this.current;
    this.current = undefined;
    if (pack) await discardTempFile(pack.temp);
  }

  private async start(): Promise<OpenPack> {
    return {
      temp: await createTempFile(this.repo.root),
      hash: createHash('sha256'),
      entries: [],
      size: 0,
      unwritten: [],
      unwrittenBytes: 0,
    };
  }

  private finishInBackground(pack: OpenPack): void {
    const done = this.finish(pack).catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
    this.finishing.add(done);
    void done.finally(() => this.finishing.delete(done));
  }

  private async finish(pack: OpenPack): Promise<void> {
    try {
      const header = sealFile(this.repo.keys.encryption, 'pack-header', encodePackHeader(pack.entries));
      const trailer = encodePackTrailer(header.length);
      pack.unwritten.push(header, trailer);
      await writeUnwritten(pack);
      pack.hash.update(header).update(trailer);
      const packId = pack.hash.digest('hex');
      await commitTempFile(pack.temp, this.repo.packPath(packId));
      await this.onPackWritten({ packId, entries: pack.entries }, pack.size + header.length + trailer.length);
    } catch (error) {
      await discardTempFile(pack.temp);
      throw error;
    }
  }
}

async function writeUnwritten(pack: OpenPack): Promise<void> {
  const buffers = pack.unwritten;
  pack.unwritten = [];
  pack.unwrittenBytes = 0;
  await writeAll(pack.temp, buffers);
}

/** Writes all buffers at the file's current position, in as few calls as the system allows. */
async function writeAll(temp: TempFile, buffers: readonly Uint8Array[]): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await temp.handle.writev(pending);
    const rest: Uint8Array[] = [];
    for (const buffer of pending) {
      if (bytesWritten >= buffer.length) bytesWritten -= buffer.length;
      else {
        rest.push(buffer.subarray(bytesWritten));
        bytesWritten = 0;
      }
    }
    pending = rest;
  }
}
