import type { ChunkerParams } from '../chunker/fastcdc.js';
import type { BlobId } from '../crypto/blob-id.js';
import type { CodecName } from '../compress/codec.js';
import type { BlobType, Codec } from '../format.js';

/** What a blob worker is started with (copied into the worker; never logged). */
export interface WorkerSetup {
  readonly encryptionKey: Uint8Array;
  readonly idKey: Uint8Array;
  readonly gear: Uint32Array;
  readonly codec: CodecName;
}

/** A file's metadata as the worker saw it on its open handle (bigint fields as decimal strings). */
export interface HandleStat {
  readonly size: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: string;
  readonly isFile: boolean;
}

/** Bytes `[start, end)` of a file; `end: null` reads to the end of the file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number | null;
}

/** The whole file. */
export const WHOLE_FILE: ByteRange = { start: 0, end: null };

/** A new blob, compressed and encrypted by a worker, ready for a pack. */
export interface SealedData {
  readonly id: BlobId;
  readonly codec: Codec;
  readonly sealed: Uint8Array;
  readonly rawLength: number;
}

/** Where a blob is stored, for a worker that reads packs itself. */
export interface StoredBlob {
  readonly packPath: string;
  readonly offset: number;
  readonly length: number;
  readonly type: BlobType;
  readonly codec: Codec;
  readonly id: BlobId;
  readonly rawLength: number;
}

/** A file to restore: its blobs, then metadata, then renamed from `temp` to `dest`. */
export interface RestoreFile {
  readonly dest: string;
  readonly temp: string;
  readonly blobs: readonly StoredBlob[];
  readonly mode: number;
  readonly mtimeNs: string;
  readonly uid: number;
  readonly gid: number;
  readonly chown: boolean;
  /** Recompute every blob's id from its plaintext (`restore --verify`); else the AEAD tag vouches. */
  readonly checkIds: boolean;
}

/** How restoring one file ended: its bytes, or why not (damaged data or an errno code). */
export type RestoreFileOutcome =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly damaged: boolean; readonly code?: string; readonly message: string };

/**
 * A whole file of at most this many bytes is a small file: the worker reads it in one synchronous
 * call into a buffer it keeps and seals it in one go, without asking which chunks are new.
 */
export const SMALL_FILE_BYTES = 1024 * 1024;

/** Main thread → worker. */
export type ToWorker =
  | { readonly op: 'restore'; readonly seq: number; readonly files: readonly RestoreFile[] }
  | {
      readonly op: 'verify-pack';
      readonly seq: number;
      readonly packId: string;
      readonly packPath: string;
      readonly blobs: readonly StoredBlob[];
    }
  | {
      readonly op: 'file';
      readonly seq: number;
      readonly path: string;
      readonly params: ChunkerParams;
      readonly range: ByteRange;
    }
  | {
      /** Whole small files (SMALL_FILE_BYTES at most), one after the other; answered by `small-done`. */
      readonly op: 'small-files';
      readonly jobs: readonly SmallFileJob[];
    }
  | { readonly op: 'need'; readonly seq: number; readonly need: readonly boolean[] }
  | { readonly op: 'stored'; readonly seq: number };

/** One whole small file of a `small-files` message. */
export interface SmallFileJob {
  readonly seq: number;
  readonly path: string;
  readonly params: ChunkerParams;
}

/** How a file job ended: its chunks' ids and the file's stat before and after reading it. */
export interface FileDone {
  readonly op: 'done';
  readonly seq: number;
  readonly content: readonly BlobId[];
  readonly size: number;
  readonly before: HandleStat;
  readonly after: HandleStat;
  /**
   * A file that fits one batch skips `batch`/`sealed`: its chunks come sealed with `done`,
   * unasked (the main thread drops those it has), and `bytes` is their plaintext size.
   */
  readonly unasked: { readonly blobs: readonly SealedData[]; readonly bytes: number } | null;
}

/** A job that could not be done. */
export interface JobFailed {
  readonly op: 'failed';
  readonly seq: number;
  /** errno code (`ENOENT`, `EACCES`, …) for file problems; undefined for bugs. */
  readonly code: string | undefined;
  readonly damaged: boolean;
  readonly message: string;
}

/**
 * Worker → main thread. A file job sends `batch` and `sealed` (each answered) and ends with `done`
 * or `failed`; a file of one batch sends only `done`. The files of a `small-files` message end
 * together, in one `small-done`.
 */
export type FromWorker =
  | { readonly op: 'batch'; readonly seq: number; readonly ids: readonly BlobId[]; readonly bytes: number }
  | { readonly op: 'sealed'; readonly seq: number; readonly blobs: readonly SealedData[] }
  | FileDone
  | { readonly op: 'small-done'; readonly replies: readonly (FileDone | JobFailed)[] }
  | { readonly op: 'restored'; readonly seq: number; readonly outcomes: readonly RestoreFileOutcome[] }
  | {
      readonly op: 'verified';
      readonly seq: number;
      /** The pack's bytes hash to its name. */
      readonly intact: boolean;
      /** Blobs that do not decrypt, decompress or match their id, with the reason. */
      readonly damaged: readonly { readonly id: BlobId; readonly reason: string }[];
    }
  | JobFailed;

/** The ArrayBuffers of `views` that can be transferred without detaching anything else. */
export function transferable(...views: Uint8Array[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const view of views) {
    const { buffer } = view;
    if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength) {
      if (!buffers.includes(buffer)) buffers.push(buffer);
    }
  }
  return buffers;
}

/** `view` itself if it owns its whole ArrayBuffer (so it can be transferred), else a copy that does. */
export function owned(view: Uint8Array): Uint8Array {
  const { buffer } = view;
  if (buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength)
    return view;
  return new Uint8Array(view);
}
