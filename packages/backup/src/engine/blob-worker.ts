import type { BigIntStats } from 'node:fs';
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type ChunkerParams,
  GearChunker,
  type ReadSource,
  batchBufferSize,
  readChunkBatches,
} from '../chunker/fastcdc.js';
import { type BlobId, computeBlobId } from '../crypto/blob-id.js';
import type { EncryptionKey, IdKey } from '../crypto/keys.js';
import { errnoCode } from '../errors.js';
import { BlobType } from '../format.js';
import { BlobDamaged, sealBlob } from './blob-codec.js';
import { released } from './reclaim.js';
import { ReadBuffers } from './read-buffers.js';
import { PackFiles, restoreFiles, verifyPack } from './worker-files.js';
import {
  type ByteRange,
  type FileDone,
  type FromWorker,
  type HandleStat,
  type JobFailed,
  type SealedData,
  type SmallFileJob,
  type ToWorker,
  type WorkerSetup,
  SMALL_FILE_BYTES,
  WHOLE_FILE,
  owned,
  transferable,
} from './worker-protocol.js';

// Entry of a blob worker thread. File jobs: read a file, cut it into chunks, hash them, ask the
// main thread which ones the repository lacks, compress and encrypt those, hand them over.
// Restore and check: decrypt, decompress and verify blobs.
const setup = workerData as WorkerSetup;
const keys = { encryption: setup.encryptionKey as EncryptionKey, id: setup.idKey as IdKey };
const port = parentPort;
if (!port) throw new Error('blob-worker must run in a worker thread');

/**
 * Chunks are handed over in batches of about this many bytes (one chunk more at most). Small,
 * because every job of every worker holds one batch and its sealed copy while the main thread
 * answers; 4 MiB batches cost ~60 MB more peak RSS for no measurable speed.
 */
const BATCH_BYTES = SMALL_FILE_BYTES;
/** The read buffer of a small file: the file, and one byte to see its end. */
const SMALL_FILE_BUFFER = SMALL_FILE_BYTES + 1;

type Reply = Extract<ToWorker, { op: 'need' | 'stored' }>;
const waiting = new Map<number, (reply: Reply) => void>();
const chunkers = new Map<string, GearChunker>();
const packFiles = new PackFiles();
const readBuffers = new ReadBuffers();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** Where a file job's last message goes: posted at once, or gathered with others (small files). */
type Conclude = (message: FileDone | JobFailed, transfer?: ArrayBuffer[]) => void;

function ask(message: Extract<FromWorker, { seq: number }>, transfer: ArrayBuffer[] = []): Promise<Reply> {
  return new Promise((resolve) => {
    waiting.set(message.seq, resolve);
    post(message, transfer);
  });
}

function chunkerFor(params: ChunkerParams): GearChunker {
  const key = `${params.minSize}/${params.avgSize}/${params.maxSize}`;
  let chunker = chunkers.get(key);
  if (!chunker) chunkers.set(key, (chunker = new GearChunker(params, setup.gear)));
  return chunker;
}

function handleStat(stats: BigIntStats): HandleStat {
  return {
    size: String(stats.size),
    mtimeNs: String(stats.mtimeNs),
    ctimeNs: String(stats.ctimeNs),
    ino: String(stats.ino),
    isFile: stats.isFile(),
  };
}

/**
 * Compresses and encrypts `chunks` (with their ids). The chunks are views into a read buffer that
 * is reused; the intermediate copies sealing makes (compressed, ciphertext) are garbage afterwards,
 * the sealed copies themselves are transferred to the main thread.
 */
function sealChunks(chunks: readonly Uint8Array[], ids: readonly BlobId[]): SealedData[] {
  const blobs = chunks.map((data, i): SealedData => {
    const id = ids[i]!;
    const { codec, sealed } = sealBlob(keys.encryption, BlobType.data, id, data, setup.codec);
    return { id, codec, sealed: owned(sealed), rawLength: data.length };
  });
  released(2 * blobs.reduce((sum, blob) => sum + blob.sealed.length, 0));
  return blobs;
}

/**
 * Reads `range` of the open file. A short read is taken as the end of the file (as far as this
 * backup goes: a file that grows later differs from `before` at the final fstat and is reported
 * as changed), which saves every small file a second read that would return 0. Small files are
 * read synchronously: a thread-pool round trip per file cost more than it overlapped (first
 * backup of the benchmark, cold cache: 12.0 s → 10.4 s, context switches 128k → 75k).
 */
function fileSource(fd: number, range: ByteRange, small: boolean): ReadSource {
  let position = range.start;
  let ended = false;
  const wantedOf = (length: number) =>
    ended ? 0 : range.end === null ? length : Math.min(length, range.end - position);
  const advance = (bytesRead: number, wanted: number) => {
    position += bytesRead;
    ended = bytesRead < wanted;
    return bytesRead;
  };
  if (small) {
    return {
      read: (buffer, offset, length) => {
        const wanted = wantedOf(length);
        if (wanted <= 0) return Promise.resolve(0);
        try {
          return Promise.resolve(advance(readSync(fd, buffer, offset, wanted, position), wanted));
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    };
  }
  return {
    read: (buffer, offset, length) =>
      new Promise<number>((resolve, reject) => {
        const wanted = wantedOf(length);
        if (wanted <= 0) {
          resolve(0);
          return;
        }
        read(fd, buffer, offset, wanted, position, (error, bytesRead) => {
          if (error) reject(error);
          else resolve(advance(bytesRead, wanted));
        });
      }),
  };
}

async function archiveFile(
  seq: number,
  path: string,
  params: ChunkerParams,
  range: ByteRange,
  conclude: Conclude = post,
): Promise<void> {
  // Metadata calls are synchronous: cheap, and a worker has nothing else to do meanwhile.
  // Reads of large files stay asynchronous, so reading overlaps with sealing.
  let fd: number;
  try {
    // Non-blocking: a FIFO put in a file's place since its lstat must not hang the backup (the
    // fstat below then finds it is no regular file). No effect on regular files.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    conclude(failure(seq, error));
    return;
  }
  let buffer: Uint8Array | undefined;
  try {
    const before = fstatSync(fd, { bigint: true });
    const content: BlobId[] = [];
    let size = 0;
    let asked = false;
    let unasked: { blobs: SealedData[]; bytes: number } | null = null;
    if (before.isFile()) {
      const expected = (range.end ?? Number(before.size)) - range.start;
      const smallFile = expected < SMALL_FILE_BUFFER;
      buffer = readBuffers.take(smallFile ? SMALL_FILE_BUFFER : batchBufferSize(params, BATCH_BYTES));
      const source = fileSource(fd, range, smallFile);
      for await (const { chunks, bytes, last } of readChunkBatches(
        source,
        chunkerFor(params),
        BATCH_BYTES,
        buffer,
      )) {
        const ids = chunks.map((chunk) => computeBlobId(keys.id, chunk));
        content.push(...ids);
        size += bytes;
        if (last && !asked) {
          // The whole file is one batch (most files): seal it unasked, one message instead of
          // four (asking which chunks are new costs more than sealing the rare duplicate).
          unasked = { blobs: sealChunks(chunks, ids), bytes };
          break;
        }
        asked = true;
        const reply = await ask({ op: 'batch', seq, ids, bytes });
        if (reply.op !== 'need') throw new Error('unexpected answer to a batch');
        const blobs = sealChunks(
          chunks.filter((_, i) => reply.need[i]),
          ids.filter((_, i) => reply.need[i]),
        );
        if (blobs.length > 0)
          await ask({ op: 'sealed', seq, blobs }, transferable(...blobs.map((b) => b.sealed)));
      }
    }
    const after = fstatSync(fd, { bigint: true });
    conclude(
      { op: 'done', seq, content, size, before: handleStat(before), after: handleStat(after), unasked },
      unasked ? transferable(...unasked.blobs.map((b) => b.sealed)) : [],
    );
  } catch (error) {
    conclude(failure(seq, error));
  } finally {
    closeSync(fd);
    if (buffer) readBuffers.give(buffer);
  }
}

function failure(seq: number, error: unknown): JobFailed {
  return {
    op: 'failed',
    seq,
    code: errnoCode(error),
    damaged: error instanceof BlobDamaged,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Backs up whole small files one after the other and answers for all of them in one message. */
async function archiveSmallFiles(jobs: readonly SmallFileJob[]): Promise<void> {
  const replies: (FileDone | JobFailed)[] = [];
  const transfer: ArrayBuffer[] = [];
  const gather: Conclude = (message, buffers = []) => {
    replies.push(message);
    transfer.push(...buffers);
  };
  for (const job of jobs) {
    try {
      await archiveFile(job.seq, job.path, job.params, WHOLE_FILE, gather);
    } catch (error) {
      gather(failure(job.seq, error)); // never leave the others unanswered
    }
  }
  post({ op: 'small-done', replies }, transfer);
}

port.on('message', (message: ToWorker) => {
  switch (message.op) {
    case 'file':
      void archiveFile(message.seq, message.path, message.params, message.range);
      return;
    case 'small-files':
      void archiveSmallFiles(message.jobs);
      return;
    case 'need':
    case 'stored': {
      const resolve = waiting.get(message.seq);
      waiting.delete(message.seq);
      resolve?.(message);
      return;
    }
    case 'restore':
      try {
        post({ op: 'restored', seq: message.seq, outcomes: restoreFiles(keys, packFiles, message.files) });
      } catch (error) {
        post(failure(message.seq, error));
      }
      return;
    case 'verify-pack':
      try {
        const { intact, damaged } = verifyPack(keys, message.packId, message.packPath, message.blobs);
        post({ op: 'verified', seq: message.seq, intact, damaged });
      } catch (error) {
        post(failure(message.seq, error));
      }
      return;
  }
});
