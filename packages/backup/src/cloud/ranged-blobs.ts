import { open } from 'node:fs/promises';
import { BlobDamaged, openBlob } from '../engine/blob-codec.js';
import { BackupError } from '../errors.js';
import type { BlobEntry } from '../repository/blob-entry.js';
import type { Repository } from '../repository/repository.js';
import { type PackToRewrite, storedBytes } from '../retention/repack.js';
import type { CloudClient } from './cloud-client.js';

/** Blobs closer than this in a pack are fetched in one range (one request instead of two). */
const MERGE_GAP = 256 * 1024;
/** Above this share of a pack's bytes, the whole pack is fetched (it is then verified by its hash). */
const WHOLE_PACK_SHARE = 0.5;

/** A stretch of a pack fetched with one range request, and the blobs in it. */
export interface Stretch {
  start: number;
  end: number;
  readonly blobs: BlobEntry[];
}

/** Groups `entries` (sorted by offset) into stretches with gaps of at most MERGE_GAP. */
function stretchesOf(entries: readonly BlobEntry[]): Stretch[] {
  const stretches: Stretch[] = [];
  for (const entry of [...entries].sort((a, b) => a.offset - b.offset)) {
    const last = stretches.at(-1);
    if (last !== undefined && entry.offset - last.end <= MERGE_GAP) {
      last.end = Math.max(last.end, entry.offset + entry.length);
      last.blobs.push(entry);
    } else stretches.push({ start: entry.offset, end: entry.offset + entry.length, blobs: [entry] });
  }
  return stretches;
}

/** Whether fetching `entries` of a pack of `packSize` bytes as ranges beats downloading it whole. */
export function worthRanges(entries: readonly BlobEntry[], packSize: number): boolean {
  return storedBytes(entries) <= WHOLE_PACK_SHARE * packSize;
}

/** Fetches `entries` of the pack as merged byte ranges, handing each stretch's bytes to `use`. */
export async function fetchStretches(
  cloud: CloudClient,
  packId: string,
  entries: readonly BlobEntry[],
  use: (stretch: Stretch, bytes: Uint8Array) => Promise<void> | void,
): Promise<{ requests: number; bytes: number }> {
  const fetched = { requests: 0, bytes: 0 };
  for (const stretch of stretchesOf(entries)) {
    const bytes = await cloud.getRange('data', packId, stretch.start, stretch.end - stretch.start);
    fetched.requests++;
    fetched.bytes += bytes.length;
    await use(stretch, bytes);
  }
  return fetched;
}

/**
 * For the cloud prune's rewrite: the kept blobs of a pack, each opened (AES-GCM tag,
 * decompression) before it is copied, so that no damaged blob goes into a new pack and the good
 * cloud pack is never deleted for a bad copy. A pack at hand (the cache's or the local
 * repository's copy, which nothing has checked since it was written: bit rot, a faulty disk) is
 * read there; when a blob of it is damaged, the kept blobs come from the cloud as byte ranges
 * instead (reported in {@link damagedAtHand}). A pack not at hand comes as byte ranges when its
 * kept blobs are at most half of it, instead of downloading the whole pack (undefined: the caller
 * downloads it, checked against its name). A range is not covered by the pack's hash either, so a
 * server that sends other bytes is caught here, before the old pack is deleted. Counts what it
 * fetched.
 */
export class RangedBlobs {
  requests = 0;
  bytes = 0;
  /** Packs at hand with a damaged kept blob, whose blobs were fetched from the cloud instead. */
  readonly damagedAtHand: string[] = [];

  constructor(
    private readonly mirror: Repository,
    private readonly cloud: CloudClient,
    private readonly packSize: (packId: string) => number,
  ) {}

  readonly fetchKept = async (pack: PackToRewrite): Promise<readonly Uint8Array[] | undefined> => {
    if (await this.mirror.packAtHand(pack.packId)) {
      const atHand = await this.readAtHand(pack);
      if (atHand !== undefined) return atHand;
      this.damagedAtHand.push(pack.packId);
    } else if (!worthRanges(pack.keep, this.packSize(pack.packId))) return undefined;
    const sealed = new Map<BlobEntry, Uint8Array>();
    const fetched = await fetchStretches(this.cloud, pack.packId, pack.keep, (stretch, bytes) => {
      for (const entry of stretch.blobs) {
        const at = entry.offset - stretch.start;
        const blob = bytes.subarray(at, at + entry.length);
        const problem = damage(this.mirror, entry, blob);
        if (problem !== undefined) {
          throw new BackupError(
            'cloud.damaged',
            `a blob of pack ${pack.packId.slice(0, 12)} arrived damaged from the cloud (${problem}); nothing was deleted`,
          );
        }
        sealed.set(entry, blob);
      }
    });
    this.requests += fetched.requests;
    this.bytes += fetched.bytes;
    return pack.keep.map((entry) => sealed.get(entry)!);
  };

  /** The kept blobs from the pack at hand, each opened; undefined when one is damaged or cut off. */
  private async readAtHand(pack: PackToRewrite): Promise<Uint8Array[] | undefined> {
    const file = await open(await this.mirror.locatePack(pack.packId), 'r');
    try {
      const sealed: Uint8Array[] = [];
      for (const entry of pack.keep) {
        const blob = new Uint8Array(entry.length);
        const { bytesRead } = await file.read(blob, 0, entry.length, entry.offset);
        if (bytesRead !== entry.length || damage(this.mirror, entry, blob) !== undefined) return undefined;
        sealed.push(blob);
      }
      return sealed;
    } finally {
      await file.close();
    }
  }
}

/** Why the sealed blob does not open, or undefined when it does. */
function damage(repo: Repository, entry: BlobEntry, sealed: Uint8Array): string | undefined {
  try {
    openBlob(repo.keys, entry, sealed, { checkId: false });
    return undefined;
  } catch (error) {
    if (!(error instanceof BlobDamaged)) throw error;
    return error.message;
  }
}
