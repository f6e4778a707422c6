import { stat } from 'node:fs/promises';
import type { BlobId } from '../crypto/blob-id.js';
import { PackReader } from '../engine/pack-reader.js';
import type { Progress } from '../engine/progress.js';
import { TreeLoader } from '../engine/tree-loader.js';
import { BackupError } from '../errors.js';
import { sealFile } from '../repository/file-envelope.js';
import { type PackRecord, encodeIndex } from '../repository/index-format.js';
import { loadIndex } from '../repository/index-store.js';
import { lockShared } from '../repository/lock.js';
import { MasterIndex } from '../repository/master-index.js';
import type { Repository } from '../repository/repository.js';
import { type SnapshotRecord, loadSnapshots } from '../repository/snapshot-store.js';
import { collectBlobs } from '../retention/usage.js';
import { syncCloudMirror } from './cloud-cache.js';
import { type CloudClient, type CloudKind, type CloudObject, sha256Hex } from './cloud-client.js';
import { type LocalObject, readLocalObject } from './local-objects.js';

export interface ReplicateOptions {
  /** The cache of this cloud: its index files are mirrored there to learn what the cloud holds. */
  readonly cacheRoot: string;
  readonly progress?: Progress;
  /** Uploads in flight (default 3: packs are ≤ ~16 MiB, so memory stays below ~100 MiB). */
  readonly concurrency?: number;
  /** Called after each upload (tests use it to stop at a chosen point). */
  readonly onUploaded?: (object: LocalObject) => void;
}

export interface ReplicateResult {
  readonly uploaded: { readonly objects: number; readonly bytes: number };
  /** Objects this run needed in the cloud that were there already (e.g. from an interrupted run). */
  readonly alreadyThere: number;
  /** Local snapshots the cloud's retention deleted: not sent again. */
  readonly forgottenInCloud: number;
  /** Objects the cloud lacked or holds differently after the run; empty when all is verified. */
  readonly problems: readonly string[];
}

const key = (kind: CloudKind, name: string) => `${kind}/${name}`;

/**
 * Sends the cloud what it needs to hold every local snapshot it neither has nor has forgotten
 * (docs/BACKUP_FORMAT.md, "Cloud copy"): the packs holding blobs of those snapshots that no
 * cloud index lists, one new index naming exactly those packs, missing key slots and the config,
 * then the snapshots, oldest first. In that order the cloud never names what it does not hold
 * yet; an interrupted run leaves only extra objects, and the next run sends the rest. Snapshots
 * the cloud's retention deleted stay deleted, and so does data that only they needed. Every
 * upload is checked against the hash the server computed, and the cloud's listing is compared
 * once more at the end. Before and after the snapshots are stored, the cloud is listed again and
 * every blob they need must be in a pack a cloud index names (a cloud prune may have removed what
 * the first listing showed): what is missing is sent again, else the snapshot is not stored or
 * is reported. When a cloud index file arrives damaged, the packs the cloud's snapshots need are
 * named again in the new index (they are in the cloud already; the damaged file stays). Holds the
 * shared repository lock, so no local prune removes a pack.
 */
export async function replicate(
  repo: Repository,
  cloud: CloudClient,
  options: ReplicateOptions,
): Promise<ReplicateResult> {
  const lock = await lockShared(repo.root);
  try {
    const remote = await listing(cloud);
    await refuseOtherRepository(repo, remote);
    warnOfDamage(cloud, remote);
    const forgotten = await cloud.forgottenSnapshots();
    const problems: string[] = [];
    const loaded = await loadSnapshots(repo);
    const wanted = (id: string) => !forgotten.has(id) && !remote.has(key('snapshots', id));
    const readable = new Set(loaded.snapshots.map(({ id }) => id));
    for (const id of await repo.listFiles('snapshot')) {
      if (!readable.has(id) && wanted(id))
        problems.push(`snapshots/${id} is damaged in the local repository; not uploaded`);
    }
    const toSend = loaded.snapshots.filter(({ id }) => wanted(id));

    // Nothing to send (the usual nightly run without a new snapshot): no index or mirror to read.
    // A damaged index file matters only if a snapshot to send needs its blobs (checked below).
    const { index } = toSend.length > 0 ? await loadIndex(repo) : { index: new MasterIndex() };
    const inCloud =
      toSend.length > 0
        ? await blobsInCloud(repo, cloud, options.cacheRoot, remote)
        : { blobs: new Set<BlobId>(), damagedIndex: false };
    const cloudBlobs = inCloud.blobs;
    const { sendable, packs, needs } = await packsToSend(repo, index, toSend, cloudBlobs, problems);
    // A cloud index file that arrived damaged hides which cloud packs hold the blobs it named:
    // the snapshots the cloud holds are checked as well, and the packs they need (in the cloud
    // already) are named again by the new index this run sends.
    if (inCloud.damagedIndex) {
      const held = loaded.snapshots.filter(({ id }) => remote.has(key('snapshots', id)));
      const unrepaired: string[] = [];
      const repair = await packsToSend(repo, index, held, cloudBlobs, unrepaired);
      for (const packId of repair.packs) packs.add(packId);
      if (unrepaired.length > 0) {
        problems.push(
          `${unrepaired.length} snapshot(s) in the cloud need data that a damaged cloud index file named and the local repository cannot name again: ${unrepaired.map((problem) => problem.replace(/; not uploaded$/, '')).join('; ')}`,
        );
      }
    }

    const objects: LocalObject[] = [
      ...[...packs].map((name): LocalObject => ({ kind: 'data', name, size: undefined, sha256: name })),
      ...(await repo.listKeySlots()).map(({ id }): LocalObject => ({
        kind: 'keys',
        name: id,
        size: undefined,
        sha256: undefined,
      })),
      { kind: 'config', name: 'config', size: undefined, sha256: undefined },
    ];
    const missing = objects.filter((object) => !remote.has(key(object.kind, object.name)));
    const alreadyThere = objects.length - missing.length;
    const snapshots = sendable.map(({ id }): LocalObject => ({
      kind: 'snapshots',
      name: id,
      size: undefined,
      sha256: id,
    }));

    const progress = options.progress;
    const uploaded = { objects: 0, bytes: 0 };
    const sent: LocalObject[] = objects.filter((object) => remote.has(key(object.kind, object.name)));
    const send = async (object: LocalObject, bytes: Uint8Array) => {
      await cloud.put(object.kind, object.name, bytes);
      uploaded.objects++;
      uploaded.bytes += bytes.length;
      if (progress) {
        progress.filesDone++;
        progress.bytesDone += bytes.length;
        progress.bytesProcessed += bytes.length;
      }
      sent.push(object);
      options.onUploaded?.(object);
    };
    const sendLocal = async (object: LocalObject) => {
      if (progress) progress.currentPath = `${object.kind}/${object.name}`;
      const bytes = await readLocalObject(repo, object);
      if (bytes === undefined) {
        problems.push(`${object.kind}/${object.name} is missing in the local repository; not uploaded`);
        return;
      }
      if (object.sha256 !== undefined && sha256Hex(bytes) !== object.sha256) {
        problems.push(`${object.kind}/${object.name} is damaged in the local repository; not uploaded`);
        return;
      }
      await send(object, bytes);
    };
    if (progress) {
      progress.filesTotal = missing.length + snapshots.length + (packs.size > 0 ? 1 : 0);
      let bytes = 0;
      for (const object of missing) if (object.kind === 'data') bytes += await packSize(repo, object.name);
      progress.bytesTotal = bytes;
    }
    const problemsBefore = problems.length;

    // 1. Packs, 2. one index naming them, 3. key slots and config, 4. snapshots (oldest first).
    await inParallel(
      missing.filter((object) => object.kind === 'data'),
      options.concurrency ?? 3,
      sendLocal,
    );
    const packsFailed = problems.length > problemsBefore;
    const sendIndex = async (packIds: readonly string[]) => {
      const records: PackRecord[] = packIds.map((packId) => ({ packId, entries: index.entriesOf(packId)! }));
      const sealed = sealFile(repo.keys.encryption, 'index', encodeIndex(records));
      const name = sha256Hex(sealed);
      await send({ kind: 'index', name, size: sealed.length, sha256: name }, sealed);
    };
    if (packs.size > 0 && !packsFailed) await sendIndex([...packs]);
    for (const object of missing)
      if (object.kind === 'keys' || object.kind === 'config') await sendLocal(object);

    /**
     * What this run relied on may be gone: a cloud retention run that ended after the first
     * listing deleted or rewrote the packs it found unneeded (the snapshots to send were not in
     * the cloud yet). Lists the cloud again and sends the local packs holding the blobs of
     * `ids` that no cloud index lists in a pack the cloud holds, with an index naming them.
     * @returns the snapshots whose blobs are still not all in the cloud.
     */
    const fillGaps = async (ids: readonly string[]): Promise<string[]> => {
      let inCloud = (await blobsInCloud(repo, cloud, options.cacheRoot, await listing(cloud))).blobs;
      const lacking = (id: string) => [...needs.get(id)!].filter((blob) => !inCloud.has(blob));
      const repair = new Set<string>();
      for (const id of ids) {
        for (const blob of lacking(id)) {
          const entry = index.get(blob);
          if (entry !== undefined) repair.add(entry.packId);
        }
      }
      if (repair.size > 0) {
        const repaired: string[] = [];
        for (const packId of repair) {
          const object: LocalObject = { kind: 'data', name: packId, size: undefined, sha256: packId };
          await sendLocal(object);
          if (sent.includes(object)) repaired.push(packId);
        }
        if (repaired.length > 0) await sendIndex(repaired);
        inCloud = (await blobsInCloud(repo, cloud, options.cacheRoot, await listing(cloud))).blobs;
      }
      return ids.filter((id) => lacking(id).length > 0);
    };

    if (packsFailed && snapshots.length > 0) {
      problems.push(`${snapshots.length} snapshot(s) not uploaded: the cloud would lack data they need`);
    } else if (snapshots.length > 0) {
      const lacking = new Set(await fillGaps(snapshots.map(({ name }) => name)));
      for (const snapshot of snapshots) {
        if (lacking.has(snapshot.name)) {
          problems.push(
            `snapshot ${snapshot.name.slice(0, 8)} not uploaded: the cloud lost data it needs during this run (a cloud prune?) and the local repository cannot send it all`,
          );
        } else await sendLocal(snapshot);
      }
      // A cloud prune that ended after that check but before a snapshot was stored did not see
      // it either: check once more now that the cloud's retention sees the snapshots.
      const stored = snapshots.filter((snapshot) => sent.includes(snapshot)).map(({ name }) => name);
      if (stored.length > 0) {
        for (const id of await fillGaps(stored)) {
          problems.push(
            `snapshots/${id} is in the cloud, but the cloud lacks data it needs (a cloud prune ran meanwhile) and the local repository cannot send it all`,
          );
        }
      }
    }

    problems.push(...(await verify(cloud, sent, repo)));
    return {
      uploaded,
      alreadyThere,
      forgottenInCloud: loaded.snapshots.filter(({ id }) => forgotten.has(id)).length,
      problems,
    };
  } finally {
    await lock.release();
  }
}

/**
 * Blobs the cloud's index lists in packs the cloud holds (none while it has no config yet), and
 * whether a cloud index file arrived damaged (its blobs are then missing here).
 */
async function blobsInCloud(
  repo: Repository,
  cloud: CloudClient,
  cacheRoot: string,
  remote: ReadonlyMap<string, CloudObject>,
): Promise<{ blobs: Set<BlobId>; damagedIndex: boolean }> {
  const blobs = new Set<BlobId>();
  if (!remote.has(key('config', 'config'))) return { blobs, damagedIndex: false };
  const synced = await syncCloudMirror(cloud, cacheRoot);
  const mirror = await repo.openSibling(synced.root);
  const { index } = await loadIndex(mirror);
  for (const [packId, entries] of index.packs()) {
    if (remote.has(key('data', packId))) for (const entry of entries) blobs.add(entry.id);
  }
  return { blobs, damagedIndex: synced.damaged.some((name) => name.startsWith('index/')) };
}

/**
 * The local packs holding the blobs of `snapshots` that the cloud lacks. A snapshot whose blobs
 * cannot all be found (damaged local repository) is reported and left out.
 */
async function packsToSend(
  repo: Repository,
  index: MasterIndex,
  snapshots: readonly SnapshotRecord[],
  cloudBlobs: ReadonlySet<BlobId>,
  problems: string[],
): Promise<{ sendable: SnapshotRecord[]; packs: Set<string>; needs: Map<string, ReadonlySet<BlobId>> }> {
  const packs = new Set<string>();
  const sendable: SnapshotRecord[] = [];
  const needs = new Map<string, ReadonlySet<BlobId>>();
  const reader = new PackReader(repo);
  const trees = new TreeLoader(repo, index, reader);
  try {
    for (const record of snapshots) {
      const blobs = new Set<BlobId>();
      try {
        await collectBlobs(index, trees, record.id, record.snapshot.tree, blobs);
      } catch (error) {
        problems.push(
          `snapshot ${record.id.slice(0, 8)} cannot be read in full (${error instanceof Error ? error.message : String(error)}); not uploaded`,
        );
        continue;
      }
      const unindexed = [...blobs].filter((blob) => !cloudBlobs.has(blob) && !index.has(blob));
      if (unindexed.length > 0) {
        problems.push(
          `snapshot ${record.id.slice(0, 8)} needs ${unindexed.length} blob(s) the local index lacks; not uploaded`,
        );
        continue;
      }
      for (const blob of blobs) if (!cloudBlobs.has(blob)) packs.add(index.get(blob)!.packId);
      sendable.push(record);
      needs.set(record.id, blobs);
    }
  } finally {
    await reader.close();
  }
  return { sendable, packs, needs };
}

async function packSize(repo: Repository, packId: string): Promise<number> {
  try {
    return (await stat(repo.packPath(packId))).size;
  } catch {
    return 0; // reported when its upload is tried
  }
}

/** A cloud that holds another repository's config is never mixed with this one. */
async function refuseOtherRepository(
  repo: Repository,
  remote: ReadonlyMap<string, CloudObject>,
): Promise<void> {
  const config = remote.get(key('config', 'config'));
  if (config === undefined) return;
  const bytes = await readLocalObject(repo, {
    kind: 'config',
    name: 'config',
    size: undefined,
    sha256: undefined,
  });
  if (bytes !== undefined && sha256Hex(bytes) !== config.sha256) {
    throw new BackupError(
      'cloud.other_repository',
      `the practice's cloud backup holds another repository than ${repo.root} (id ${repo.config.id}); ` +
        'one practice has one cloud repository: replicate from the repository it came from',
    );
  }
}

/** Tells the user of the objects the server's integrity scrub found damaged, and what repairs them. */
function warnOfDamage(cloud: CloudClient, remote: ReadonlyMap<string, CloudObject>): void {
  const damaged = [...remote.values()].filter((object) => object.damaged === true);
  if (damaged.length === 0) return;
  const names = damaged.slice(0, 5).map((object) => key(object.kind, object.name));
  cloud.warn(
    `the server's integrity check found ${damaged.length} damaged file(s) in the cloud copy ` +
      `(${names.join(', ')}${damaged.length > names.length ? ', …' : ''}); ` +
      '`tresor-backup replicate --repair` stores them again from this repository',
  );
}

/** The cloud's objects by kind and name. */
async function listing(cloud: CloudClient): Promise<Map<string, CloudObject>> {
  return new Map((await cloud.list()).map((object) => [key(object.kind, object.name), object]));
}

/** Compares the cloud's listing with what should be there now. */
async function verify(
  cloud: CloudClient,
  expected: readonly LocalObject[],
  repo: Repository,
): Promise<string[]> {
  const remote = await listing(cloud);
  const problems: string[] = [];
  for (const object of expected) {
    const stored = remote.get(key(object.kind, object.name));
    const hash = object.sha256 ?? sha256Hex((await readLocalObject(repo, object)) ?? new Uint8Array());
    if (stored === undefined)
      problems.push(`${object.kind}/${object.name} is missing in the cloud after the upload`);
    else if (stored.sha256 !== hash) problems.push(`${object.kind}/${object.name} differs in the cloud`);
  }
  return problems;
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}
