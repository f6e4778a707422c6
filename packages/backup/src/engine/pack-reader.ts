import { type FileHandle, open } from 'node:fs/promises';
import { FormatError } from '../repository/blob-entry.js';
import type { Repository } from '../repository/repository.js';

interface OpenPack {
  readonly handle: Promise<FileHandle>;
  users: number;
  evicted: boolean;
}

/**
 * Reads sealed blobs out of packs with positioned reads, keeping up to `maxOpen` packs open
 * (least recently used closed first, once no read is using it). One reader per command.
 */
export class PackReader {
  private readonly packs = new Map<string, OpenPack>();

  constructor(
    private readonly repo: Repository,
    private readonly maxOpen = 32,
  ) {}

  private acquire(packId: string): OpenPack {
    let pack = this.packs.get(packId);
    if (pack) {
      this.packs.delete(packId);
    } else {
      if (this.packs.size >= this.maxOpen) {
        const [oldestId, oldest] = this.packs.entries().next().value!;
        this.packs.delete(oldestId);
        oldest.evicted = true;
        if (oldest.users === 0) closeQuietly(oldest);
      }
      pack = {
        handle: this.repo.locatePack(packId).then((path) => open(path, 'r')),
        users: 0,
        evicted: false,
      };
      pack.handle.catch(() => undefined);
    }
    this.packs.set(packId, pack);
    pack.users++;
    return pack;
  }

  private release(packId: string, pack: OpenPack, failed: boolean): void {
    pack.users--;
    if (failed && this.packs.get(packId) === pack) {
      this.packs.delete(packId);
      pack.evicted = true;
    }
    if (pack.evicted && pack.users === 0) closeQuietly(pack);
  }

  /** Reads `length` bytes at `offset` into a fresh (transferable) buffer. */
  async read(packId: string, offset: number, length: number): Promise<Uint8Array> {
    const pack = this.acquire(packId);
    let failed = true;
    try {
      const handle = await pack.handle;
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) throw new FormatError(`pack ${packId} is shorter than its index says`);
        done += bytesRead;
      }
      failed = false;
      return buffer;
    } finally {
      this.release(packId, pack, failed);
    }
  }

  async close(): Promise<void> {
    const packs = [...this.packs.values()];
    this.packs.clear();
    await Promise.all(packs.map((pack) => pack.handle.then((h) => h.close()).catch(() => undefined)));
  }
}

function closeQuietly(pack: OpenPack): void {
  void pack.handle.then((h) => h.close()).catch(() => undefined);
}
