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
  /** The sealed kept blobs of a pack, in order, from elsewhere; undefined: read the pack. */
  fetchKept?: (pack: PackToRewrite) => Promise<readonly Uint8Array[] | undefined>,
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
      const fetched = await fetchKept?.(plan);
      for (const [i, entry] of plan.keep.entries()) {
        const sealed = fetched?.[i] ?? (await reader.read(plan.packId, entry.offset, entry.length));
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

/** A pack with the blobs of it that stay and those that go. */
export interface PackUse {
  readonly keep: readonly BlobEntry[];
  readonly drop: readonly BlobEntry[];
}

const storedBytes = (entries: readonly BlobEntry[]) => entries.reduce((sum, entry) => sum + entry.length, 0);

/**
 * The partly needed packs worth rewriting when up to `maxUnused` (a fraction, 0–1) of the stored
 * bytes that stay may be unneeded: the packs with the most unneeded bytes first, until what is
 * left unneeded is within the limit. With 0, every one. `stuck` packs count towards the unneeded
 * bytes but cannot be rewritten (cloud packs still in their lock period); `otherBytes` are the
 * stored bytes of the packs that stay whole. Fully unneeded packs are not passed in: deleting
 * them costs nothing, so they always go.
 */
export function packsWorthRewriting<T extends PackUse>(
  candidates: readonly T[],
  stuck: readonly PackUse[],
  otherBytes: number,
  maxUnused: number,
): Set<T> {
  const chosen = new Set<T>();
  const partly = [...candidates, ...stuck];
  let unused = storedBytes(partly.flatMap((plan) => plan.drop));
  let total = otherBytes + unused + storedBytes(partly.flatMap((plan) => plan.keep));
  const byWaste = [...candidates].sort((a, b) => storedBytes(b.drop) - storedBytes(a.drop));
  for (const plan of byWaste) {
    if (unused <= maxUnused * total) break;
    chosen.add(plan);
    const dropped = storedBytes(plan.drop);
    unused -= dropped;
    total -= dropped;
  }
  return chosen;
}
