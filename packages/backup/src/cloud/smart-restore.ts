import { BackupError, isBackupError } from '../errors.js';
import { readRepositoryConfig } from '../repository/config.js';
import { loadIndex } from '../repository/index-store.js';
import { MasterIndex } from '../repository/master-index.js';
import { Repository } from '../repository/repository.js';
import { type SnapshotRecord, resolveSnapshot } from '../repository/snapshot-store.js';
import type { CloudClient } from './cloud-client.js';
import { CloudPackSource, DirectoryPackSource, type CloudMirror, syncCloudMirror } from './cloud-cache.js';

export interface CloudAccess {
  readonly client: CloudClient;
  /** The cache directory of this cloud (metadata mirror and fetched packs). */
  readonly cacheRoot: string;
}

export interface RestoreSource {
  readonly repo: Repository;
  readonly record: SnapshotRecord;
  /** Where the snapshot was found: the local repository, or the cloud (through its cache). */
  readonly from: 'local' | 'cloud';
  /** Packs fetched from the cloud (after the restore: how many and how large). */
  readonly cloudPacks: CloudPackSource | undefined;
  /** Packs read from the local repository while restoring from the cloud's snapshot. */
  readonly localPacks: DirectoryPackSource | undefined;
  /** The index to restore with, when already loaded ({@link indexWithCloudFallback}). */
  readonly index?: MasterIndex | undefined;
}

/**
 * The local index, with the blobs of the packs that neither the local disk nor the cloud (by
 * the pack's id) holds pointed to where the cloud's own index has them: a pack that a local
 * prune rewrote, and that is then lost, never reached the cloud under its new id, and a cloud
 * prune rewrites packs under new ids too. When no pack is missing, or the cloud copy cannot
 * help (empty, or another repository), the local index as it is.
 */
async function indexWithCloudFallback(
  local: Repository,
  index: MasterIndex,
  missing: ReadonlySet<string>,
  cloud: CloudAccess,
  cloudPacks: ReadonlyMap<string, number>,
): Promise<MasterIndex> {
  const lost = new Set([...missing].filter((id) => !cloudPacks.has(id)));
  if (lost.size === 0) return index;
  let cloudIndex: MasterIndex;
  try {
    const mirror = await local.openSibling((await syncCloudMirror(cloud.client, cloud.cacheRoot)).root);
    cloudIndex = (await loadIndex(mirror)).index;
  } catch (error) {
    if (isBackupError(error, 'cloud.empty') || isBackupError(error, 'repo.invalid')) return index;
    throw error;
  }
  // Earlier adds win: packs at hand first, then the cloud's, then the lost ones (their blobs
  // that the cloud lacks too are still listed, so restore reports them as missing).
  const merged = new MasterIndex();
  for (const [packId, entries] of index.packs()) if (!lost.has(packId)) merged.add({ packId, entries });
  for (const [packId, entries] of cloudIndex.packs()) {
    if (cloudPacks.has(packId)) merged.add({ packId, entries });
  }
  for (const [packId, entries] of index.packs()) if (lost.has(packId)) merged.add({ packId, entries });
  return merged;
}

/**
 * The local repository's packs from the cloud, for a restore of a local snapshot whose index
 * names packs the local disk lacks. The cloud is asked only then: a restore that has everything
 * at hand never depends on it.
 * @throws BackupError cloud.unreachable (or another cloud code) saying that the local
 * repository lacks packs, when the cloud cannot stand in.
 */
async function cloudForMissingPacks(
  local: Repository,
  index: MasterIndex,
  missing: ReadonlySet<string>,
  cloud: CloudAccess,
): Promise<{ cloudPacks: CloudPackSource; index: MasterIndex }> {
  try {
    const packs = new Map((await cloud.client.list('data')).map((object) => [object.name, object.size]));
    const cloudPacks = new CloudPackSource(cloud.client, cloud.cacheRoot, packs);
    local.addPackSource(cloudPacks);
    return { cloudPacks, index: await indexWithCloudFallback(local, index, missing, cloud, packs) };
  } catch (error) {
    if (!(error instanceof BackupError) || !error.code.startsWith('cloud.')) throw error;
    throw new BackupError(
      error.code,
      `the local repository lacks ${missing.size} pack(s) of its index, to be read from the cloud copy: ${error.message}` +
        ' (without a cloud configured, restore takes what the local repository holds and lists the rest)',
    );
  }
}

/**
 * Smart restore (seed 000 §2.4): the local repository when it holds the snapshot, else the
 * cloud. Either way a pack missing where the snapshot was found is taken from the other place:
 * from the cloud for a local snapshot (fetched into the cache), from the local repository for a
 * cloud snapshot (no download needed for what is still on the practice's disk). A local
 * snapshot whose repository has every pack at hand is restored without asking the cloud, so an
 * unreachable server does not stop it. `passphrase` is asked at most once.
 */
export async function openRestoreSource(
  localRoot: string | undefined,
  passphrase: () => Promise<string>,
  cloud: CloudAccess | undefined,
  ref: string,
  /** Told when `latest` passes over snapshot files that cannot be read. */
  warn?: (message: string) => void,
): Promise<RestoreSource> {
  const local = await openLocal(localRoot, passphrase, cloud !== undefined);
  if (local !== undefined) {
    let record: SnapshotRecord | undefined;
    try {
      record = await resolveSnapshot(local, ref, warn);
    } catch (error) {
      // Not here, or here but damaged: the cloud's copy may serve.
      const elsewhere = isBackupError(error, 'snapshot.not_found') || isBackupError(error, 'repo.damaged');
      if (cloud === undefined || !elsewhere) throw error;
    }
    if (record !== undefined) {
      if (cloud === undefined)
        return { repo: local, record, from: 'local', cloudPacks: undefined, localPacks: undefined };
      // The cloud only for packs the local disk lacks: with all of them at hand, restore needs
      // no network (a damaged index file: restore loads and reports it).
      const { index, problems } = await loadIndex(local);
      const present = new Set(await local.listPackIds());
      const missing = new Set([...index.packs()].map(([id]) => id).filter((id) => !present.has(id)));
      const fromCloud =
        problems.length === 0 && missing.size > 0
          ? await cloudForMissingPacks(local, index, missing, cloud)
          : undefined;
      return {
        repo: local,
        record,
        from: 'local',
        cloudPacks: fromCloud?.cloudPacks,
        localPacks: undefined,
        index: problems.length === 0 ? (fromCloud?.index ?? index) : undefined,
      };
    }
  }
  if (cloud === undefined) throw new BackupError('usage.invalid', 'no repository given');

  const opened = await openCloudRepository(cloud, local, passphrase);
  const record = await resolveSnapshot(opened.repo, ref, warn);
  return { ...opened, record, from: 'cloud' };
}

export interface CloudRepository {
  /** The cache's mirror of the cloud metadata, opened; packs come from the sources below. */
  readonly repo: Repository;
  readonly mirror: CloudMirror;
  readonly localPacks: DirectoryPackSource | undefined;
  readonly cloudPacks: CloudPackSource;
}

/**
 * The cloud copy as a repository: metadata synced into the cache, packs read from the local
 * repository when it is the same repository and has them, else fetched from the cloud.
 */
export async function openCloudRepository(
  cloud: CloudAccess,
  local: Repository | undefined,
  passphrase: () => Promise<string>,
  options: {
    /** `false` to read every pack from the cloud (checking the cloud's copy, not the local one). */
    readonly localPacks?: boolean;
    /** Fetch every metadata file again, cached or not (checking the cloud's copy). */
    readonly refetchMetadata?: boolean;
  } = {},
): Promise<CloudRepository> {
  const mirror = await syncCloudMirror(cloud.client, cloud.cacheRoot, {
    refetch: options.refetchMetadata === true,
  });
  const repo = await openMirror(mirror, local, passphrase);
  const localPacks =
    options.localPacks !== false && local?.config.id === repo.config.id
      ? new DirectoryPackSource(local.root)
      : undefined;
  if (localPacks !== undefined) repo.addPackSource(localPacks);
  const packs = new Map(
    [...mirror.objects.values()]
      .filter((object) => object.kind === 'data')
      .map((object) => [object.name, object.size]),
  );
  const cloudPacks = new CloudPackSource(cloud.client, cloud.cacheRoot, packs);
  repo.addPackSource(cloudPacks);
  return { repo, mirror, localPacks, cloudPacks };
}

/** Opens the cloud mirror, with the local repository's keys when it is the same repository. */
export async function openMirror(
  mirror: CloudMirror,
  local: Repository | undefined,
  passphrase: () => Promise<string>,
): Promise<Repository> {
  const mirrorId = (await readRepositoryConfig(mirror.root)).id;
  if (local?.config.id === mirrorId) return local.openSibling(mirror.root);
  return Repository.open(mirror.root, await passphrase());
}

/**
 * The local repository, or undefined when there is none and the cloud can stand in (the local
 * disk was lost). A newer format is refused before the passphrase is asked.
 */
export async function openLocal(
  root: string | undefined,
  passphrase: () => Promise<string>,
  cloudAvailable: boolean,
): Promise<Repository | undefined> {
  if (root === undefined) {
    if (cloudAvailable) return undefined;
    throw new BackupError('usage.invalid', 'no repository given: use --repo DIR or set TRESOR_BACKUP_REPO');
  }
  try {
    await readRepositoryConfig(root);
  } catch (error) {
    if (cloudAvailable && isBackupError(error, 'repo.not_found')) return undefined;
    throw error;
  }
  return Repository.open(root, await passphrase());
}
