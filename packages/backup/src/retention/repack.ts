import type { BlobId } from '../crypto/blob-id.js';
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
  progress.bytesTotal = storedBytes(rewrite.flatMap((plan) => plan.keep));
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

/** What a prune does with one pack. */
export interface PackPlan extends PackUse {
  readonly packId: string;
  /** All its blobs, as its index lists them. */
  readonly entries: readonly BlobEntry[];
  /** It may be rewritten or deleted (in the cloud: it and its index files are past their lock). */
  readonly deletable: boolean;
}

/**
 * Every needed blob gets one home: preferably a pack whose blobs are all needed, then one that
 * stays anyway (not deletable), only then one that would be rewritten. A blob without a home
 * here (unneeded, or a second copy) is dropped.
 */
export function planPacks(
  records: readonly PackRecord[],
  needed: ReadonlySet<BlobId>,
  deletable: (record: PackRecord) => boolean = () => true,
): PackPlan[] {
  const ranked = records.map((record) => {
    const isDeletable = deletable(record);
    const fullyNeeded = record.entries.every((entry) => needed.has(entry.id));
    return { record, isDeletable, rank: fullyNeeded ? 0 : isDeletable ? 2 : 1 };
  });
  ranked.sort((a, b) => a.rank - b.rank);
  const homed = new Set<BlobId>();
  return ranked.map(({ record, isDeletable }) => {
    const keep: BlobEntry[] = [];
    const drop: BlobEntry[] = [];
    for (const entry of record.entries) {
      if (needed.has(entry.id) && !homed.has(entry.id)) {
        homed.add(entry.id);
        keep.push(entry);
      } else drop.push(entry);
    }
    return { packId: record.packId, entries: record.entries, keep, drop, deletable: isDeletable };
  });
}

/** The stored (sealed) bytes of these blobs. */
export const storedBytes = (entries: readonly BlobEntry[]): number =>
  entries.reduce((sum, entry) => sum + entry.length, 0);

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
