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
 * For the cloud prune's rewrite: the kept blobs of a pack that is not at hand (neither in the
 * cache nor in the local repository), fetched as byte ranges when they are at most half the
 * pack, instead of downloading the whole pack. A range is not covered by the pack's hash, so
 * every blob is opened (AES-GCM tag, decompression) before it is copied: a server that sends
 * other bytes is caught here, before the old pack is deleted. Counts what it fetched.
 */
export class RangedBlobs {
  requests = 0;
  bytes = 0;

  constructor(
    private readonly mirror: Repository,
    private readonly cloud: CloudClient,
    private readonly packSize: (packId: string) => number,
  ) {}

  readonly fetchKept = async (pack: PackToRewrite): Promise<readonly Uint8Array[] | undefined> => {
    if (!worthRanges(pack.keep, this.packSize(pack.packId))) return undefined;
    if (await this.mirror.packAtHand(pack.packId)) return undefined;
    const sealed = new Map<BlobEntry, Uint8Array>();
    const fetched = await fetchStretches(this.cloud, pack.packId, pack.keep, (stretch, bytes) => {
      for (const entry of stretch.blobs) {
        const at = entry.offset - stretch.start;
        const blob = bytes.subarray(at, at + entry.length);
        this.verify(pack.packId, entry, blob);
        sealed.set(entry, blob);
      }
    });
    this.requests += fetched.requests;
    this.bytes += fetched.bytes;
    return pack.keep.map((entry) => sealed.get(entry)!);
  };

  private verify(packId: string, entry: BlobEntry, sealed: Uint8Array): void {
    try {
      openBlob(this.mirror.keys, entry, sealed, { checkId: false });
    } catch (error) {
      if (!(error instanceof BlobDamaged)) throw error;
      throw new BackupError(
        'cloud.damaged',
        `a blob of pack ${packId.slice(0, 12)} arrived damaged from the cloud (${error.message}); nothing was deleted`,
      );
    }
  }
}
