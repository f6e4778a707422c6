import { readFile } from 'node:fs/promises';
import type { Progress } from '../engine/progress.js';
import { errnoCode } from '../errors.js';
import type { Repository } from '../repository/repository.js';
import { lockShared } from '../repository/lock.js';
import { type CloudClient, type CloudKind, type CloudObject, sha256Hex } from './cloud-client.js';
import { type CloudMirror, fetchChecked, objectKey } from './cloud-cache.js';
import { localPath } from './local-objects.js';

/** Metadata kinds, read by every cloud command; packs only with `readData`. */
const METADATA: readonly CloudKind[] = ['config', 'keys', 'index', 'snapshots'];

export interface CloudRepairOptions {
  /**
   * The cache of this cloud: it holds copies of the cloud's index files (which replicate and a
   * cloud prune write, so the local repository has none of them) as they were fetched.
   */
  readonly cacheRoot?: string;
  /** Fetch and repair packs too (downloads the whole cloud copy). */
  readonly readData?: boolean;
  readonly progress?: Progress;
}

export interface CloudRepairResult {
  /** Objects fetched and compared with the hash the server recorded. */
  readonly checked: number;
  readonly bytesChecked: number;
  /** `kind/name` of damaged objects replaced by the local repository's sound copy, verified. */
  readonly repaired: readonly string[];
  /** Damaged objects left as they are, each with the reason. */
  readonly unrepaired: readonly { readonly object: string; readonly reason: string }[];
}

/** The object's bytes from the first repository directory in `roots` whose copy is as stored. */
async function soundCopy(
  roots: readonly string[],
  object: CloudObject,
): Promise<{ bytes: Uint8Array } | { reason: string }> {
  let found = false;
  for (const root of roots) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(localPath(root, object));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      throw error;
    }
    found = true;
    if (sha256Hex(bytes) === object.sha256) return { bytes };
  }
  return {
    reason: found
      ? 'the copies here differ from what was stored'
      : 'neither the local repository nor the cache has a copy',
  };
}

/**
 * Heals rot in the cloud copy. Every metadata object (and with `readData` every pack, without it
 * the packs the server's own integrity scrub lists as damaged) is fetched again and compared with
 * the hash the server recorded when it was stored: a file that rotted on the server's disk still
 * lists that hash but arrives otherwise. Each damaged object of which the
 * local repository or the cache of this cloud has a copy with exactly the recorded hash is stored
 * again: the server accepts the same bytes under the same name (an agent token may do that, as a
 * resumed upload does) and writes its blob anew, so what it holds is again what was stored, never
 * anything else. The object is then fetched once more to verify. Holds the shared repository
 * lock, so no local prune removes a file meanwhile.
 */
export async function repairCloud(
  repo: Repository,
  cloud: CloudClient,
  options: CloudRepairOptions = {},
): Promise<CloudRepairResult> {
  const lock = await lockShared(repo.root);
  try {
    const kinds = options.readData === true ? [...METADATA, 'data'] : METADATA;
    // Packs the server's integrity scrub found damaged are repaired without --read-data too.
    const objects = (await cloud.list()).filter(
      (object) => kinds.includes(object.kind) || object.damaged === true,
    );
    const progress = options.progress;
    const roots = options.cacheRoot === undefined ? [repo.root] : [repo.root, options.cacheRoot];
    if (progress) {
      progress.filesTotal = objects.length;
      progress.bytesTotal = objects.reduce((sum, object) => sum + object.size, 0);
    }
    const repaired: string[] = [];
    const unrepaired: { object: string; reason: string }[] = [];
    let bytesChecked = 0;
    for (const object of objects) {
      const name = objectKey(object.kind, object.name);
      if (progress) progress.currentPath = name;
      const sound = await fetchChecked(cloud, object);
      bytesChecked += object.size;
      if (progress) {
        progress.filesDone++;
        progress.bytesDone += object.size;
        progress.bytesProcessed += object.size;
      }
      // An object the server's scrub flagged is stored again even if it arrives sound now (it
      // may have been repaired during the scrub): storing it clears the flag.
      if (sound !== undefined && object.damaged !== true) continue;
      const copy = await soundCopy(roots, object);
      if ('reason' in copy) {
        // Flagged but sound: nothing to repair; the server's next scrub clears the flag.
        if (sound === undefined) unrepaired.push({ object: name, reason: copy.reason });
        continue;
      }
      await cloud.put(object.kind, object.name, copy.bytes);
      if ((await fetchChecked(cloud, object)) === undefined) {
        unrepaired.push({ object: name, reason: 'the server still sends it damaged after storing it again' });
      } else repaired.push(name);
    }
    return { checked: objects.length, bytesChecked, repaired, unrepaired };
  } finally {
    await lock.release();
  }
}

export interface DamagedRemoval {
  /** Deleted (a dry run: would be): damaged index files and snapshots nothing here can replace. */
  readonly deleted: readonly string[];
  /** Damaged, but still in the server's lock period: nobody can delete them yet. */
  readonly locked: readonly string[];
  /** Damaged, but a sound copy is here: `replicate --repair` stores it again, so it is kept. */
  readonly repairable: readonly string[];
}

/**
 * Deletes the index files and snapshots that arrived damaged in `mirror` (synced with `refetch`,
 * so a sound cached copy does not hide rot on the server) and that no copy in `roots` (the local
 * repository, the cache) can replace, so that cloud retention, which refuses to judge what
 * unreadable files describe, can run again. Needs the retention credential and its lock; objects
 * in their lock period stay. A damaged snapshot is lost with or without this (it cannot be read);
 * a damaged index file only named packs: they stay, unindexed (a cloud prune leaves such packs
 * alone), and `replicate` names the packs the cloud's snapshots need again. A snapshot whose trees
 * only that index named still stops retention until then.
 */
export async function removeDamagedCloudFiles(
  cloud: CloudClient,
  mirror: CloudMirror,
  roots: readonly string[],
  options: { readonly dryRun?: boolean } = {},
): Promise<DamagedRemoval> {
  const deleted: string[] = [];
  const locked: string[] = [];
  const repairable: string[] = [];
  for (const name of mirror.damaged) {
    const object = mirror.objects.get(name);
    if (object === undefined || (object.kind !== 'index' && object.kind !== 'snapshots')) continue;
    if ('bytes' in (await soundCopy(roots, object))) {
      repairable.push(name);
      continue;
    }
    if (options.dryRun === true) {
      deleted.push(name);
      continue;
    }
    const outcome = await cloud.delete(object.kind, object.name);
    if (outcome === 'locked') locked.push(name);
    else deleted.push(name);
  }
  return { deleted, locked, repairable };
}
