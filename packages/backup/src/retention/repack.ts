import { PackReader } from '../engine/pack-reader.js';
import { PackWriter } from '../engine/pack-writer.js';
import type { Progress } from '../engine/progress.js';
import { BlobType } from '../format.js';
import type { BlobEntry } from '../repository/blob-entry.js';
import type { PackRecord } from '../repository/index-format.js';
import type { Repository } from '../repository/repository.js';

/** A partly needed pack: the blobs of it that stay. */
export interface PackToRewrite {
  readonly packId: string;
  readonly keep: readonly BlobEntry[];
}

export interface Repacked {
  readonly packs: readonly PackRecord[];
  /** Bytes of the new pack files. */
  readonly bytes: number;
}

/**
 * Copies the kept blobs of `rewrite` into new packs of `repo`, as stored (no decryption), trees
 * and data in packs of their own (see BlobSaver). The old packs are read wherever `repo` finds
 * them (its own `data/` or a pack source). The new packs are durable when this resolves; none is
 * named by an index yet.
 */
export async function repack(
  repo: Repository,
  rewrite: readonly PackToRewrite[],
  progress: Progress,
): Promise<Repacked> {
  const packs: PackRecord[] = [];
  let bytes = 0;
  const packWritten = (pack: PackRecord, size: number) => {
    packs.push(pack);
    bytes += size;
    return Promise.resolve();
  };
  const writers = {
    [BlobType.data]: new PackWriter(repo, packWritten),
    [BlobType.tree]: new PackWriter(repo, packWritten),
  };
  const reader = new PackReader(repo);
  progress.bytesTotal = rewrite.reduce((sum, plan) => sum + plan.keep.reduce((s, e) => s + e.length, 0), 0);
  progress.filesTotal = rewrite.length;
  try {
    for (const plan of rewrite) {
      progress.currentPath = plan.packId.slice(0, 12);
      for (const entry of plan.keep) {
        const sealed = await reader.read(plan.packId, entry.offset, entry.length);
        await writers[entry.type].add([
          { type: entry.type, id: entry.id, codec: entry.codec, sealed, rawLength: entry.rawLength },
        ]);
        progress.bytesDone += entry.length;
      }
      progress.filesDone++;
    }
    await writers[BlobType.data].flush();
    await writers[BlobType.tree].flush();
  } catch (error) {
    await Promise.all([writers[BlobType.data].abort(), writers[BlobType.tree].abort()]);
    throw error;
  } finally {
    await reader.close();
  }
  return { packs, bytes };
}
