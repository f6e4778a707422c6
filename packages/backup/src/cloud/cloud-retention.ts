import { readFile, unlink } from 'node:fs/promises';
import type { BlobId } from '../crypto/blob-id.js';
import { type Progress, newProgress } from '../engine/progress.js';
import { type PackRecord, decodeIndex, encodeIndex } from '../repository/index-format.js';
import { type FileKind, layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { removeSnapshots } from '../retention/forget.js';
import type { SnapshotUsage } from '../retention/policy.js';
import { packsWorthRewriting, planPacks, repack, storedBytes } from '../retention/repack.js';
import { type ForeignFile, type UsageOptions, repositoryUsage } from '../retention/usage.js';
import type { CloudClient, CloudKind } from './cloud-client.js';
import { type CloudMirror, objectKey } from './cloud-cache.js';
import { clearPendingPacks, readPendingPacks, recordPendingPacks } from './prune-journal.js';
import { RangedBlobs } from './ranged-blobs.js';

/** The cloud kind of a repository file kind. */
const cloudKind = (kind: FileKind): CloudKind => (kind === 'index' ? 'index' : 'snapshots');

/**
 * Usage options for the cloud copy: files no holder of the repository key can have written
 * (e.g. stored with a stolen agent token) are left out of retention instead of stopping it.
 */
export function cloudUsageOptions(cloudMirror: CloudMirror): UsageOptions {
  return { cloudSha256: (kind, id) => cloudMirror.objects.get(objectKey(cloudKind(kind), id))?.sha256 };
}

/** A foreign index or snapshot object found by a cloud prune, and what became of it. */
export interface ForeignObject extends ForeignFile {
  /** `locked`: still in its lock period; `deletable`: past it (a dry run deletes nothing). */
  readonly outcome: 'deleted' | 'locked' | 'deletable';
}

export interface CloudDeletion {
  readonly deleted: readonly string[];
  /** Still within the server's lock period: nobody can delete them yet. */
  readonly locked: readonly string[];
}

/**
 * Deletes the given snapshots from the cloud (retention credential). Snapshots still in their
 * lock period stay and are reported; the mirror follows the cloud.
 */
export async function deleteCloudSnapshots(
  mirror: Repository,
  cloud: CloudClient,
  ids: readonly string[],
): Promise<CloudDeletion> {
  const deleted: string[] = [];
  const locked: string[] = [];
  for (const id of ids) {
    const outcome = await cloud.delete('snapshots', id);
    if (outcome === 'locked') locked.push(id);
    else deleted.push(id);
  }
  await removeSnapshots(mirror, deleted);
  return { deleted, locked };
}

export interface CloudPruneResult {
  /** Packs deleted (a dry run: that would be), leftovers of an interrupted prune included. */
  readonly packsDeleted: number;
  readonly bytesDeleted: number;
  /** Partly needed packs whose needed blobs were copied into new packs (and which were deleted). */
  readonly packsRewritten: number;
  /** New packs uploaded with those blobs, and their bytes. */
  readonly packsWritten: number;
  readonly bytesUploaded: number;
  /** Unneeded or partly needed packs kept because they (or an index file naming them) are still locked. */
  readonly packsLocked: number;
  /** Packs no index names and no interrupted prune recorded: an unfinished replicate may need them. */
  readonly packsUnindexed: number;
  /** Packs an interrupted cloud prune had uploaded, now named by the new index. */
  readonly packsAdopted: number;
  /** Packs an interrupted cloud prune had set out to delete, deleted now. */
  readonly packsLeftOver: number;
  /** Partly needed packs left as they are (their unneeded bytes are within `maxUnused`). */
  readonly packsPartlyKept: number;
  readonly bytesUnusedKept: number;
  /** Kept blobs of packs not at hand fetched as byte ranges (instead of whole packs). */
  readonly rangeRequests: number;
  readonly bytesFetchedInRanges: number;
  /**
   * Packs to rewrite whose copy at hand (local repository or cache) has a damaged blob to keep:
   * those blobs were fetched from the cloud instead. The local copy needs `check --read-data`.
   */
  readonly damagedAtHand: readonly string[];
  readonly indexFilesReplaced: number;
  /**
   * Index and snapshot objects no holder of the repository key wrote: they need nothing, so they
   * did not stop the prune, and they are deleted once past their lock period.
   */
  readonly foreign: readonly ForeignObject[];
}

export interface CloudPruneOptions {
  readonly dryRun?: boolean;
  /** As for the local prune ({@link packsWorthRewriting}); default 0. */
  readonly maxUnused?: number;
  readonly progress?: Progress;
  readonly now?: Date;
}

/** The cloud's packs as its index files (and an interrupted prune's journal) describe them. */
interface CloudPacks {
  readonly indexFiles: readonly string[];
  /** Every pack an index names or an interrupted prune uploaded, by id. */
  readonly packs: ReadonlyMap<string, PackRecord>;
  /** The index files naming each pack (none for adopted ones). */
  readonly namedBy: ReadonlyMap<string, readonly string[]>;
  readonly adopted: readonly PackRecord[];
  /** Packs an interrupted prune was deleting, still in the cloud and named by no index. */
  readonly leftovers: readonly string[];
  /** Leftovers kept for a later prune while a foreign index file is about (see below). */
  readonly deferred: readonly string[];
  readonly unindexed: number;
  readonly journal: readonly string[];
}

async function readCloudPacks(
  mirror: Repository,
  cloudMirror: CloudMirror,
  foreign: readonly ForeignFile[],
): Promise<CloudPacks> {
  const inCloud = (packId: string) => cloudMirror.objects.has(objectKey('data', packId));
  const foreignIndexFiles = new Set(foreign.filter(({ kind }) => kind === 'index').map(({ id }) => id));
  const indexFiles = (await mirror.listFiles('index')).filter((file) => !foreignIndexFiles.has(file));
  const packs = new Map<string, PackRecord>();
  const namedBy = new Map<string, string[]>();
  for (const file of indexFiles) {
    for (const record of decodeIndex(await mirror.readFile('index', file))) {
      if (!packs.has(record.packId)) packs.set(record.packId, record);
      namedBy.set(record.packId, [...(namedBy.get(record.packId) ?? []), file]);
    }
  }
  const pending = await readPendingPacks(mirror);
  const adopted = pending.uploads.filter((record) => inCloud(record.packId) && !packs.has(record.packId));
  for (const record of adopted) {
    packs.set(record.packId, record);
    namedBy.set(record.packId, []);
  }
  // Leftovers are deleted for the journal's word, not for what the snapshots need: while a
  // foreign index file is about, which might be said to name them, they wait (counted as
  // unindexed, still recorded) until it is gone.
  const unnamed = [...new Set(pending.deletions)].filter((id) => inCloud(id) && !packs.has(id));
  const leftovers = foreignIndexFiles.size > 0 ? [] : unnamed;
  const unindexed = [...cloudMirror.objects.values()].filter(
    (object) => object.kind === 'data' && !packs.has(object.name),
  ).length;
  return {
    indexFiles,
    packs,
    namedBy,
    adopted,
    leftovers,
    deferred: foreignIndexFiles.size > 0 ? unnamed : [],
    unindexed: unindexed - leftovers.length,
    journal: pending.files,
  };
}

/**
 * Removes from the cloud what no cloud snapshot needs, in the crash-safe order of a local prune.
 * Packs none of whose blobs is needed are deleted; packs only partly needed are rewritten: their
 * needed blobs are copied as stored (not re-encrypted) into new packs, read from the local
 * repository where it has the pack, else downloaded. Blobs read at hand or as byte ranges are
 * opened before they are copied ({@link RangedBlobs}; a whole download is checked against its
 * name), and those of a pack damaged at hand are fetched from the cloud instead. Then, in this
 * order: the new packs are recorded in the cache's journal ({@link recordPendingPacks}) and
 * uploaded; one new index naming every pack that stays is uploaded; the packs to delete are
 * recorded; the old index files are deleted; then those packs. Only packs past their lock
 * period, and named only by index files past theirs, are deleted or rewritten. Packs no index
 * names are left alone (a replicate that was interrupted before its index upload still needs
 * them), except the ones the journal explains: uploads of an interrupted prune are named by the
 * new index, its deletions finished. Index and snapshot objects that no holder of the repository
 * key wrote ({@link cloudUsageOptions}) are left out, and deleted last once past their lock period;
 * any other unreadable index or snapshot stops the prune before it changes anything.
 */
export async function pruneCloud(
  mirror: Repository,
  cloudMirror: CloudMirror,
  cloud: CloudClient,
  options: CloudPruneOptions = {},
): Promise<CloudPruneResult> {
  const now = options.now ?? new Date();
  const unlocked = (kind: CloudKind, name: string) => {
    const object = cloudMirror.objects.get(objectKey(kind, name));
    return object !== undefined && new Date(object.lockedUntil) <= now;
  };
  const usage = await repositoryUsage(mirror, cloudUsageOptions(cloudMirror));
  const result = await prunePacks(
    mirror,
    cloudMirror,
    cloud,
    usage.snapshots,
    usage.foreign,
    unlocked,
    options,
  );
  const foreign: ForeignObject[] = [];
  for (const file of usage.foreign) {
    const kind = cloudKind(file.kind);
    let outcome: ForeignObject['outcome'] = unlocked(kind, file.id) ? 'deletable' : 'locked';
    if (outcome === 'deletable' && !options.dryRun) {
      outcome = (await cloud.delete(kind, file.id)) === 'locked' ? 'locked' : 'deleted';
      if (outcome === 'deleted')
        await unlink(layout.file(mirror.root, file.kind, file.id)).catch(() => undefined);
    }
    foreign.push({ ...file, outcome });
  }
  return { ...result, foreign };
}

/** {@link pruneCloud} up to the foreign objects. */
async function prunePacks(
  mirror: Repository,
  cloudMirror: CloudMirror,
  cloud: CloudClient,
  snapshots: readonly SnapshotUsage[],
  foreign: readonly ForeignFile[],
  unlocked: (kind: CloudKind, name: string) => boolean,
  options: CloudPruneOptions,
): Promise<Omit<CloudPruneResult, 'foreign'>> {
  const needed = new Set<BlobId>();
  for (const snapshot of snapshots) for (const blob of snapshot.blobs) needed.add(blob);
  const state = await readCloudPacks(mirror, cloudMirror, foreign);
  const leftovers = state.leftovers.filter((id) => unlocked('data', id));

  const plans = planPacks(
    [...state.packs.values()].filter((record) => cloudMirror.objects.has(objectKey('data', record.packId))),
    needed,
    (record) =>
      unlocked('data', record.packId) &&
      (state.namedBy.get(record.packId) ?? []).every((file) => unlocked('index', file)),
  );
  const partly = plans.filter((plan) => plan.drop.length > 0 && plan.keep.length > 0);
  const chosen = packsWorthRewriting(
    partly.filter((plan) => plan.deletable),
    partly.filter((plan) => !plan.deletable),
    storedBytes(plans.filter((plan) => plan.drop.length === 0).flatMap((plan) => plan.keep)),
    options.maxUnused ?? 0,
  );
  const leftAlone = partly.filter((plan) => plan.deletable && !chosen.has(plan));
  const remove = plans.filter(
    (plan) => plan.deletable && plan.drop.length > 0 && (plan.keep.length === 0 || chosen.has(plan)),
  );
  const rewrite = remove.filter((plan) => plan.keep.length > 0);
  const packSize = (packId: string) => cloudMirror.objects.get(objectKey('data', packId))?.size ?? 0;
  const base = {
    packsLocked: plans.filter((plan) => !plan.deletable && plan.drop.length > 0).length,
    packsUnindexed: state.unindexed,
    packsRewritten: rewrite.length,
    packsAdopted: state.adopted.length,
    packsLeftOver: leftovers.length,
    packsPartlyKept: leftAlone.length,
    bytesUnusedKept: storedBytes(leftAlone.flatMap((plan) => plan.drop)),
  };
  const recordDeferred = async () =>
    state.deferred.length === 0
      ? undefined
      : recordPendingPacks(
          mirror,
          'delete',
          state.deferred.map((packId) => ({ packId, entries: [] })),
        );
  if (options.dryRun || (remove.length === 0 && state.adopted.length === 0 && leftovers.length === 0)) {
    if (!options.dryRun) {
      await recordDeferred();
      await clearPendingPacks(mirror, state.journal);
    }
    const goes = [...remove.map((plan) => plan.packId), ...leftovers];
    return {
      ...base,
      packsDeleted: goes.length,
      bytesDeleted: goes.reduce((sum, id) => sum + packSize(id), 0),
      packsWritten: 0,
      rangeRequests: 0,
      bytesFetchedInRanges: 0,
      damagedAtHand: [],
      bytesUploaded: storedBytes(rewrite.flatMap((plan) => plan.keep)),
      indexFilesReplaced: 0,
    };
  }

  // 1. The needed blobs of partly needed packs into new packs: recorded, then uploaded.
  const progress = options.progress ?? newProgress();
  const ranged = new RangedBlobs(mirror, cloud, packSize);
  const { packs: written } = await repack(mirror, rewrite, progress, ranged.fetchKept);
  if (written.length > 0) await recordPendingPacks(mirror, 'upload', written);
  let bytesUploaded = 0;
  for (const record of written) {
    const bytes = await readFile(mirror.packPath(record.packId));
    await cloud.put('data', record.packId, bytes);
    bytesUploaded += bytes.length;
  }

  // 2. One index naming every pack that stays, durable in the cloud before anything is deleted.
  const gone = new Set(remove.map((plan) => plan.packId));
  const staying = [...[...state.packs.values()].filter((record) => !gone.has(record.packId)), ...written];
  const newIndex = await mirror.writeFile('index', encodeIndex(staying));
  await cloud.put('index', newIndex, await readFile(layout.file(mirror.root, 'index', newIndex)));

  // 3. What goes is recorded (the uploads are named now), then the old index files are deleted
  //    (those past their lock; the locked ones name no pack that goes).
  const doomed = [...gone, ...leftovers];
  const deletionJournal = await recordPendingPacks(
    mirror,
    'delete',
    doomed.map((packId) => ({ packId, entries: [] })),
  );
  const deferredJournal = await recordDeferred();
  await clearPendingPacks(
    mirror,
    [...(await readPendingPacks(mirror)).files].filter((f) => f !== deletionJournal && f !== deferredJournal),
  );
  const removedFiles = new Set<string>();
  for (const file of state.indexFiles) {
    if (file === newIndex || !unlocked('index', file)) continue;
    if ((await cloud.delete('index', file)) !== 'locked') removedFiles.add(file);
  }

  // 4. The packs nothing names any more (re-checked: an index file the server still refused to
  //    delete keeps its packs), and their copies in the cache.
  const removable = [
    ...remove
      .filter((plan) => (state.namedBy.get(plan.packId) ?? []).every((file) => removedFiles.has(file)))
      .map((plan) => plan.packId),
    ...leftovers,
  ];
  let packsDeleted = 0;
  let bytesDeleted = 0;
  for (const packId of removable) {
    if ((await cloud.delete('data', packId)) === 'locked') continue;
    packsDeleted++;
    bytesDeleted += packSize(packId);
    await unlink(mirror.packPath(packId)).catch(() => undefined);
  }
  await clearPendingPacks(mirror, [deletionJournal]);
  return {
    ...base,
    packsLocked: base.packsLocked + doomed.length - packsDeleted,
    packsDeleted,
    bytesDeleted,
    packsWritten: written.length,
    bytesUploaded,
    rangeRequests: ranged.requests,
    bytesFetchedInRanges: ranged.bytes,
    damagedAtHand: ranged.damagedAtHand,
    indexFilesReplaced: removedFiles.size,
  };
}
