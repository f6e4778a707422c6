import { readFile } from 'node:fs/promises';
import type { BlobId } from '../crypto/blob-id.js';
import type { Progress } from '../engine/progress.js';
import { type PackRecord, decodeIndex, encodeIndex } from '../repository/index-format.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { removeSnapshots } from '../retention/forget.js';
import { repositoryUsage } from '../retention/usage.js';
import type { CloudClient, CloudKind } from './cloud-client.js';
import { type CloudMirror, objectKey } from './cloud-cache.js';

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
  readonly packsDeleted: number;
  readonly bytesDeleted: number;
  /** Unneeded packs kept because they (or an index file naming them) are still locked. */
  readonly packsLocked: number;
  /** Packs no index names: left by an unfinished replicate, which may still need them. */
  readonly packsUnindexed: number;
  readonly indexFilesReplaced: number;
}

export interface CloudPruneOptions {
  readonly dryRun?: boolean;
  readonly progress?: Progress;
  readonly now?: Date;
  /** Test hook: called between the steps. */
  readonly afterStep?: (step: 'index-written' | 'old-index-removed' | 'packs-removed') => Promise<void>;
}

/**
 * Removes cloud packs no cloud snapshot needs, in the crash-safe order of a local prune: one new
 * index naming every pack that stays is uploaded first, then the old index files are deleted, then
 * the packs. Packs are not rewritten (that would mean downloading and uploading them): a pack is
 * deleted only when none of its blobs is needed, it is past its lock period, and so is every
 * index file that names it. Packs no index names are never touched: a replicate that was
 * interrupted before its index upload still needs them.
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
  const { snapshots } = await repositoryUsage(mirror);
  const needed = new Set<BlobId>();
  for (const snapshot of snapshots) for (const blob of snapshot.blobs) needed.add(blob);

  const indexFiles = new Map<string, readonly PackRecord[]>();
  for (const id of await mirror.listFiles('index'))
    indexFiles.set(id, decodeIndex(await mirror.readFile('index', id)));
  const packs = new Map<string, PackRecord>();
  const namedBy = new Map<string, string[]>();
  for (const [file, records] of indexFiles) {
    for (const record of records) {
      if (!packs.has(record.packId)) packs.set(record.packId, record);
      namedBy.set(record.packId, [...(namedBy.get(record.packId) ?? []), file]);
    }
  }
  const inCloud = [...cloudMirror.objects.values()].filter((object) => object.kind === 'data');
  const packsUnindexed = inCloud.filter((object) => !packs.has(object.name)).length;

  const unneeded = [...packs.values()].filter(
    (record) =>
      cloudMirror.objects.has(objectKey('data', record.packId)) &&
      !record.entries.some((e) => needed.has(e.id)),
  );
  const deletable = unneeded.filter(
    (record) =>
      unlocked('data', record.packId) &&
      (namedBy.get(record.packId) ?? []).every((file) => unlocked('index', file)),
  );
  const bytesDeleted = deletable.reduce(
    (sum, record) => sum + (cloudMirror.objects.get(objectKey('data', record.packId))?.size ?? 0),
    0,
  );
  const base = {
    packsLocked: unneeded.length - deletable.length,
    packsUnindexed,
  };
  if (options.dryRun || deletable.length === 0) {
    return {
      ...base,
      packsDeleted: options.dryRun ? deletable.length : 0,
      bytesDeleted: options.dryRun ? bytesDeleted : 0,
      indexFilesReplaced: 0,
    };
  }

  // 1. One index naming every pack that stays, durable in the cloud before anything is deleted.
  const gone = new Set(deletable.map((record) => record.packId));
  const staying = [...packs.values()].filter((record) => !gone.has(record.packId));
  const newIndex = await mirror.writeFile('index', encodeIndex(staying));
  await cloud.put('index', newIndex, await readFile(layout.file(mirror.root, 'index', newIndex)));
  await options.afterStep?.('index-written');

  // 2. The old index files (those past their lock; the locked ones name no pack that goes).
  const removedFiles = new Set<string>();
  for (const file of indexFiles.keys()) {
    if (file === newIndex || !unlocked('index', file)) continue;
    if ((await cloud.delete('index', file)) !== 'locked') removedFiles.add(file);
  }
  await options.afterStep?.('old-index-removed');

  // 3. The packs nothing names any more (re-checked: an index file the server still refused to
  //    delete keeps its packs).
  const removable = deletable.filter((record) =>
    (namedBy.get(record.packId) ?? []).every((file) => removedFiles.has(file)),
  );
  if (options.progress) options.progress.filesTotal = removable.length;
  let bytes = 0;
  for (const record of removable) {
    await cloud.delete('data', record.packId);
    bytes += cloudMirror.objects.get(objectKey('data', record.packId))?.size ?? 0;
    if (options.progress) options.progress.filesDone++;
  }
  await options.afterStep?.('packs-removed');
  return {
    ...base,
    packsLocked: base.packsLocked + deletable.length - removable.length,
    packsDeleted: removable.length,
    bytesDeleted: bytes,
    indexFilesReplaced: removedFiles.size,
  };
}
