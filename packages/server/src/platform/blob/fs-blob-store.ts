import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, opendir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BlobInfo,
  type BlobKey,
  type BlobStore,
  BlobStoreError,
  type ByteRange,
  type PutOptions,
  type StagedBlob,
  type StoredBlobInfo,
  parseBlobKey,
} from './blob-store.js';

const WRITE_BATCH_BYTES = 1024 * 1024;
const STAGED_TOKEN = /^[0-9a-f-]{36}$/;

/**
 * Blob store on the local file system: `<root>/sha256/ab/<key>`. Content is streamed into a
 * temp file under `<root>/tmp` (staged), fsynced, then renamed into place and the directory
 * fsynced, so a crash at any point leaves either no blob or the whole blob, never a partial one.
 * A prefix directory's own name is flushed (its parent fsynced) before the first blob in it
 * counts as stored, so a power loss cannot take a fresh prefix directory, and its blobs, away.
 */
export class FsBlobStore implements BlobStore {
  /** Prefix directories whose name this process has made durable (fsynced `sha256/`). */
  private readonly durableDirs = new Set<string>();

  private constructor(private readonly root: string) {}

  /** Opens the store and removes temp files left by a crash. Callers hold the data-dir lock. */
  static async open(root: string): Promise<FsBlobStore> {
    await mkdirDurable(join(root, 'sha256'));
    await rm(join(root, 'tmp'), { recursive: true, force: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    return new FsBlobStore(root);
  }

  async put(content: AsyncIterable<Uint8Array> | Uint8Array, options: PutOptions = {}): Promise<BlobInfo> {
    const staged = await this.stage(content, options);
    await this.commit([staged]);
    return { key: staged.key, size: staged.size };
  }

  async stage(
    content: AsyncIterable<Uint8Array> | Uint8Array,
    options: PutOptions = {},
  ): Promise<StagedBlob> {
    const token = randomUUID();
    const tempPath = this.tempPathOf(token);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(tempPath, 'wx', 0o600);
    try {
      const chunks = content instanceof Uint8Array ? [content] : content;
      // Network pieces are small (often 16–64 KiB): gather them into one write per ~1 MiB.
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const chunk of chunks) {
        size += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) {
          throw new BlobStoreError('blob.too_large', `blob exceeds ${options.maxBytes} bytes`);
        }
        hash.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) {
          await writeAll(file, pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      await writeAll(file, pending);
      // Whatever the file system did, the file holds exactly the bytes hashed, or it is not kept.
      if ((await file.stat()).size !== size) throw new Error('blob temp file has the wrong size');
    } catch (error) {
      await file.close();
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    await file.close();

    const key = hash.digest('hex') as BlobKey;
    if (options.expectedKey !== undefined && options.expectedKey !== key) {
      await unlink(tempPath);
      throw new BlobStoreError('blob.digest_mismatch', 'blob content does not match its key');
    }
    return { key, size, token };
  }

  /**
   * Flushes every staged file at once (the kernel joins concurrent flushes into few journal
   * commits), renames each into place, then flushes each directory that gained a name.
   */
  async commit(staged: readonly StagedBlob[]): Promise<void> {
    try {
      await this.publish(staged);
    } catch (error) {
      await this.discard(staged);
      throw error;
    }
  }

  private async publish(staged: readonly StagedBlob[]): Promise<void> {
    await Promise.all(staged.map((blob) => fsyncPath(this.tempPathOf(blob.token))));
    const dirs = new Set<string>();
    const fresh: string[] = [];
    for (const blob of staged) {
      const dir = join(this.root, 'sha256', blob.key.slice(0, 2));
      if (!dirs.has(dir)) {
        // A directory's name lives in its parent, which is flushed too before the blob counts:
        // when the directory is new, and also until this process has flushed it once (another
        // request may have created it and still be flushing, or a crash left it unflushed).
        for (const parent of await mkdirDurable(dir, false)) dirs.add(parent);
        if (!this.durableDirs.has(dir)) {
          dirs.add(dirname(dir));
          fresh.push(dir);
        }
      }
      dirs.add(dir);
      await rename(this.tempPathOf(blob.token), this.pathOf(blob.key));
    }
    await Promise.all([...dirs].map(fsyncPath));
    for (const dir of fresh) this.durableDirs.add(dir);
  }

  async discard(staged: readonly StagedBlob[]): Promise<void> {
    await Promise.all(staged.map((blob) => unlink(this.tempPathOf(blob.token)).catch(ifMissing(undefined))));
  }

  async get(key: BlobKey, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    const file = await open(path, 'r').catch(ifMissing(undefined));
    if (file === undefined) return undefined;
    return createReadStream(path, { fd: file, ...range });
  }

  async head(key: BlobKey): Promise<StoredBlobInfo | undefined> {
    const info = await stat(this.pathOf(key)).catch(ifMissing(undefined));
    return info === undefined ? undefined : { key, size: info.size, modifiedAt: info.mtime };
  }

  async *list(): AsyncIterable<BlobKey> {
    const prefixes = (await readdir(join(this.root, 'sha256'))).sort();
    for (const prefix of prefixes) {
      const dir = await opendir(join(this.root, 'sha256', prefix)).catch(ifMissing(undefined));
      if (dir === undefined) continue;
      for await (const entry of dir) {
        const key = parseBlobKey(entry.name);
        if (entry.isFile() && key !== undefined) yield key;
      }
    }
  }

  async delete(key: BlobKey): Promise<boolean> {
    const removed = await unlink(this.pathOf(key)).then(() => true, ifMissing(false));
    if (removed) await fsyncPath(join(this.root, 'sha256', key.slice(0, 2)));
    return removed;
  }

  private tempPathOf(token: string): string {
    if (!STAGED_TOKEN.test(token)) throw new TypeError('invalid staged blob token');
    return join(this.root, 'tmp', token);
  }

  private pathOf(key: BlobKey): string {
    if (parseBlobKey(key) === undefined) throw new TypeError('invalid blob key');
    return join(this.root, 'sha256', key.slice(0, 2), key);
  }
}

/**
 * Writes all buffers at the file's position: `writev` may write only part of them (a nearly full
 * disk, a file size limit), so it is called again for the rest until everything is written; the
 * call that cannot write more fails (ENOSPC, EFBIG).
 */
async function writeAll(file: FileHandle, buffers: readonly Uint8Array[]): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await file.writev(pending);
    if (bytesWritten === 0) throw new Error('blob write made no progress');
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

/**
 * Creates `dir` and missing parents. Returns the directories whose entries changed (the parent
 * of each directory created), which must be flushed for the new names to survive a power loss;
 * with `sync`, flushes them itself.
 */
async function mkdirDurable(dir: string, sync = true): Promise<string[]> {
  const created = await mkdir(dir, { recursive: true });
  const parents: string[] = [];
  if (created !== undefined) {
    for (let d = dir; ; d = dirname(d)) {
      parents.push(dirname(d));
      if (d === created || dirname(d) === d) break;
    }
  }
  if (sync) await Promise.all(parents.map(fsyncPath));
  return parents;
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ifMissing<T>(fallback: T) {
  return (error: unknown): T => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  };
}
