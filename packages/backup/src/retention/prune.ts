import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BlobId } from '../crypto/blob-id.js';
import { indexOrphanPacks } from '../engine/pack-header.js';
import { type Progress, newProgress } from '../engine/progress.js';
import { errnoCode } from '../errors.js';
import { fsyncDirectory, removeStaleTempFiles } from '../repository/atomic-file.js';
import type { PackRecord } from '../repository/index-format.js';
import { writeIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import { lockExclusive } from '../repository/lock.js';
import type { Repository } from '../repository/repository.js';
import { packsWorthRewriting, planPacks, repack, storedBytes } from './repack.js';
import { repositoryUsage } from './usage.js';

export interface PruneOptions {
  readonly progress?: Progress;
  /** Only count what would be done. */
  readonly dryRun?: boolean;
  /**
   * Unneeded data that may stay in partly needed packs, as a fraction of the packs' stored bytes
   * (0–1, default 0: every partly needed pack is rewritten). See {@link packsWorthRewriting}.
   */
  readonly maxUnused?: number;
  /** Test hook: called between the steps, so a test can stop a prune at each of them. */
  readonly afterStep?: (step: PruneStep) => Promise<void>;
}

export type PruneStep = 'packs-written' | 'index-written' | 'old-index-removed' | 'packs-removed';

export interface PruneResult {
  readonly packsKept: number;
  readonly packsRewritten: number;
  readonly packsRemoved: number;
  /** Partly needed packs left as they are (their unneeded bytes are within `maxUnused`). */
  readonly packsPartlyKept: number;
  readonly bytesUnusedKept: number;
  readonly packsWritten: number;
  /** Blobs no snapshot needs (or second copies of a blob), dropped. */
  readonly blobsRemoved: number;
  /** Stored bytes of those blobs. */
  readonly bytesRemoved: number;
  /** Pack bytes on disk before and after. */
  readonly packBytesBefore: number;
  readonly packBytesAfter: number;
  readonly indexFilesReplaced: number;
  /** Packs found without an index (a killed backup or prune) and indexed first. */
  readonly orphanPacksIndexed: number;
}

/**
 * Removes the data no snapshot needs (docs/BACKUP_FORMAT.md, "Prune"). Under the exclusive
 * lock: index packs a killed run left, find the blobs every snapshot needs, copy the needed blobs
 * of partly used packs into new packs (the stored bytes as they are: no decryption), then make
 * durable, in this order: the new packs; one new index naming every pack that stays; only then
 * delete the old index files; only then delete the packs nothing names any more. A kill at
 * any point leaves every indexed pack present, so `check` passes and the next prune finishes
 * the job (leftover packs are then unindexed, indexed again and removed).
 */
export async function prune(repo: Repository, options: PruneOptions = {}): Promise<PruneResult> {
  const lock = options.dryRun ? undefined : await lockExclusive(repo.root);
  try {
    return await pruneLocked(repo, options);
  } finally {
    await lock?.release();
  }
}

async function pruneLocked(repo: Repository, options: PruneOptions): Promise<PruneResult> {
  const progress = options.progress ?? newProgress();
  const step = async (name: PruneStep): Promise<void> => {
    await options.afterStep?.(name);
  };
  if (!options.dryRun) await removeStaleTempFiles(repo.root);
  const before = await repositoryUsage(repo);
  const orphans = options.dryRun ? { indexed: 0 } : await indexOrphanPacks(repo, before.index);
  // After indexing orphans: the index files this prune replaces are exactly these.
  const oldIndexFiles = await repo.listFiles('index');
  const { index, snapshots } = orphans.indexed > 0 ? await repositoryUsage(repo) : before;
  const needed = new Set<BlobId>();
  for (const snapshot of snapshots) for (const blob of snapshot.blobs) needed.add(blob);
  const sizes = await repo.listPacks();

  // Each needed blob gets one home: preferably a pack whose blobs are all needed (kept as it is).
  const plans = planPacks(
    [...index.packs()].map(([packId, entries]) => ({ packId, entries })),
    needed,
  );
  const untouched = plans.filter((plan) => plan.drop.length === 0);
  const partly = plans.filter((plan) => plan.drop.length > 0 && plan.keep.length > 0);
  const untouchedBytes = storedBytes(untouched.flatMap((plan) => plan.keep));
  const chosen = packsWorthRewriting(partly, [], untouchedBytes, options.maxUnused ?? 0);
  const rewrite = partly.filter((plan) => chosen.has(plan));
  const leftAlone = partly.filter((plan) => !chosen.has(plan));
  const remove = plans.filter((plan) => plan.drop.length > 0 && (plan.keep.length === 0 || chosen.has(plan)));
  const dropped = remove.flatMap((plan) => plan.drop);
  const packBytesBefore = [...sizes.values()].reduce((a, b) => a + b, 0);
  const base = {
    packsKept: untouched.length,
    packsRewritten: rewrite.length,
    packsRemoved: remove.length,
    packsPartlyKept: leftAlone.length,
    bytesUnusedKept: storedBytes(leftAlone.flatMap((plan) => plan.drop)),
    blobsRemoved: dropped.length,
    bytesRemoved: storedBytes(dropped),
    packBytesBefore,
    orphanPacksIndexed: orphans.indexed,
  };
  if (options.dryRun || remove.length === 0) {
    return {
      ...base,
      packsWritten: 0,
      packBytesAfter: packBytesBefore - (options.dryRun ? base.bytesRemoved : 0),
      indexFilesReplaced: 0,
    };
  }

  // 1. New packs with the needed blobs of partly used packs (durable when repack resolves).
  const { packs: written, bytes: writtenBytes } = await repack(repo, rewrite, progress);
  await step('packs-written');

  // 2. One index naming every pack that stays, durable before anything is deleted.
  const staying: PackRecord[] = [
    ...untouched.map((plan) => ({ packId: plan.packId, entries: plan.keep })),
    ...leftAlone.map((plan) => ({ packId: plan.packId, entries: plan.entries })),
    ...written,
  ];
  const newIndex = await writeIndex(repo, staying);
  await step('index-written');

  // 3. The old index files (a crash now leaves the removed packs unindexed: harmless).
  for (const id of oldIndexFiles) {
    if (id === newIndex) continue;
    await unlink(layout.file(repo.root, 'index', id));
  }
  await fsyncDirectory(layout.dir(repo.root, 'index'));
  await step('old-index-removed');

  // 4. The packs no index names any more.
  const dirs = new Set<string>();
  for (const plan of remove) {
    const path = repo.packPath(plan.packId);
    try {
      await unlink(path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    dirs.add(dirname(path));
  }
  for (const dir of dirs) await fsyncDirectory(dir);
  await step('packs-removed');

  const removedBytes = remove.reduce((sum, plan) => sum + (sizes.get(plan.packId) ?? 0), 0);
  return {
    ...base,
    packsWritten: written.length,
    packBytesAfter: packBytesBefore - removedBytes + writtenBytes,
    indexFilesReplaced: oldIndexFiles.filter((id) => id !== newIndex).length,
  };
}
