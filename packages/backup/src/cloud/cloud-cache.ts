import { createHash } from 'node:crypto';
import { access, mkdir, readFile, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, errnoCode, isBackupError } from '../errors.js';
import { writeFileAtomic } from '../repository/atomic-file.js';
import { REPOSITORY_DIRECTORIES, layout } from '../repository/layout.js';
import type { PackSource } from '../repository/repository.js';
import { type CloudClient, type CloudKind, type CloudObject, sha256Hex } from './cloud-client.js';
import { localPath } from './local-objects.js';

/** The cache directory for one cloud inside the cache base directory: one folder per server URL. */
export function defaultCacheRoot(cloudUrl: string, base: string): string {
  return join(base, `cloud-${createHash('sha256').update(cloudUrl).digest('hex').slice(0, 16)}`);
}

export interface CloudMirror {
  /** A directory laid out as a repository: config, keys, index and snapshots as in the cloud. */
  readonly root: string;
  /** The cloud's listing when the mirror was synced. */
  readonly objects: ReadonlyMap<string, CloudObject>;
  /** Metadata files fetched by this sync. */
  readonly fetched: number;
  /**
   * Key slots, index files and snapshots (`kind/name`) that arrived damaged: each is an empty
   * file in the mirror, so reading it fails as for any damaged file of a repository.
   */
  readonly damaged: readonly string[];
}

const METADATA: readonly CloudKind[] = ['keys', 'index', 'snapshots'];
export const objectKey = (kind: CloudKind, name: string) => `${kind}/${name}`;

/**
 * Brings the cache's metadata in line with the cloud: downloads config, key slots, index files and
 * snapshots it lacks or holds otherwise than listed (each checked against its listed hash) and
 * removes those the cloud no longer has (cloud retention). Packs are fetched only when needed
 * ({@link CloudPackSource}). A cache of another repository is emptied first.
 *
 * A key slot, index file or snapshot that arrives damaged does not stop the sync: the mirror
 * holds an empty file in its place (the next sync fetches it again), so each command treats it
 * as a damaged file of a repository (restore and check report it, retention stops, replicate
 * sends a new index for the packs it named), and the cloud client's `warn` names it.
 * @throws BackupError cloud.empty when the cloud holds no repository yet; cloud.damaged when
 *   its config arrives damaged.
 */
export async function syncCloudMirror(
  cloud: CloudClient,
  root: string,
  options: {
    /**
     * Fetch every metadata file again, also those cached as listed (a check of the cloud copy:
     * a file that rotted on the server still matches the hash it lists). A sound cached copy
     * of a file that now arrives damaged is kept; the file is in `damaged` all the same.
     */
    readonly refetch?: boolean;
  } = {},
): Promise<CloudMirror> {
  const listing = await cloud.list();
  const objects = new Map(listing.map((object) => [objectKey(object.kind, object.name), object]));
  const config = objects.get(objectKey('config', 'config'));
  if (config === undefined) {
    throw new BackupError(
      'cloud.empty',
      `the practice's cloud backup at ${cloud.url} holds no repository yet (run "tresor-backup replicate" first)`,
    );
  }
  const configPath = layout.config(root);
  if (sha256Hex(await readOrEmpty(configPath)) !== config.sha256) {
    await rm(root, { recursive: true, force: true });
  }
  await mkdir(root, { recursive: true });
  for (const dir of REPOSITORY_DIRECTORIES) await mkdir(join(root, dir), { recursive: true });

  let fetched = 0;
  const damaged: string[] = [];
  /** Fetches `object` into the mirror; with `cached`, the mirror's copy is sound already. */
  const fetchInto = async (object: CloudObject, cached = false) => {
    const bytes = await fetchChecked(cloud, object);
    if (bytes === undefined) {
      if (object.kind === 'config') {
        throw new BackupError('cloud.damaged', `config/config arrived damaged from ${cloud.url}`);
      }
      damaged.push(objectKey(object.kind, object.name));
      if (!cached) await writeFileAtomic(root, localPath(root, object), new Uint8Array(0));
      return;
    }
    if (!cached) await writeFileAtomic(root, localPath(root, object), bytes);
    fetched++;
  };
  for (const kind of METADATA) {
    const dir = join(root, kind); // keys/, index/ and snapshots/ are named as their kinds
    const present = new Set((await readdir(dir)).filter((name) => !name.startsWith('.')));
    for (const object of listing) {
      if (object.kind !== kind) continue;
      // A copy in the cache is used only as listed: one damaged on this disk, or one that
      // arrived damaged last time, is fetched again.
      const cached = present.has(object.name) && sha256Hex(await readOrEmpty(localPath(root, object)));
      if (cached !== object.sha256) await fetchInto(object);
      else if (options.refetch === true) await fetchInto(object, true);
    }
    for (const name of present) {
      if (!objects.has(objectKey(kind, name))) await unlink(join(dir, name)).catch(() => undefined);
    }
  }
  if (sha256Hex(await readOrEmpty(configPath)) !== config.sha256) await fetchInto(config);
  else if (options.refetch === true) await fetchInto(config, true);
  if (damaged.length > 0) {
    cloud.warn(
      `${damaged.length} file(s) of the cloud copy arrived damaged (${damaged.slice(0, 5).join(', ')}` +
        `${damaged.length > 5 ? ', …' : ''}): what they hold cannot be read from the cloud; ` +
        '"tresor-backup check --cloud-copy" lists what is affected',
    );
  }
  return { root, objects, fetched, damaged };
}

/** The object's bytes, or undefined when they arrive damaged (not as listed). */
export async function fetchChecked(cloud: CloudClient, object: CloudObject): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await cloud.get(object.kind, object.name, object.size);
  } catch (error) {
    if (isBackupError(error, 'cloud.damaged')) return undefined;
    throw error;
  }
  return sha256Hex(bytes) === object.sha256 ? bytes : undefined;
}

async function readOrEmpty(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return new Uint8Array(0);
    throw error;
  }
}

/** Packs of another directory holding the same repository (the local repository). */
export class DirectoryPackSource implements PackSource {
  used = 0;

  constructor(private readonly root: string) {}

  async locate(packId: string): Promise<string | undefined> {
    const path = layout.pack(this.root, packId);
    try {
      await access(path);
    } catch {
      return undefined;
    }
    this.used++;
    return path;
  }
}

/**
 * Packs fetched from the cloud on first use into the cache's `data/` (checked against their
 * names, which are their SHA-256), so a repeated restore reads them locally.
 */
export class CloudPackSource implements PackSource {
  readonly remote = true;
  fetched = 0;
  fetchedBytes = 0;
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  private readonly partial = new Map<string, string>();

  constructor(
    private readonly cloud: CloudClient,
    private readonly cacheRoot: string,
    /** The cloud's packs and their sizes. */
    readonly cloudPacks: ReadonlyMap<string, number>,
  ) {}

  /**
   * Serves `packId` from `path` from now on: a file holding only some of the pack's blobs, at
   * their offsets (see `fetchPartialPacks`); for a restore that reads only those.
   */
  usePartial(packId: string, path: string): void {
    this.partial.set(packId, path);
  }

  /** Whether a complete copy of the pack is in the cache already. */
  async isCached(packId: string): Promise<boolean> {
    try {
      await access(layout.pack(this.cacheRoot, packId));
      return true;
    } catch {
      return false;
    }
  }

  locate(packId: string): Promise<string | undefined> {
    const partial = this.partial.get(packId);
    if (partial !== undefined) return Promise.resolve(partial);
    if (!this.cloudPacks.has(packId)) return Promise.resolve(undefined);
    let pending = this.inFlight.get(packId);
    if (pending === undefined) {
      pending = this.fetch(packId);
      this.inFlight.set(packId, pending);
    }
    return pending;
  }

  private async fetch(packId: string): Promise<string> {
    const path = layout.pack(this.cacheRoot, packId);
    try {
      await access(path);
      return path;
    } catch {
      // not cached yet
    }
    const bytes = await this.cloud.get('data', packId);
    if (sha256Hex(bytes) !== packId) {
      throw new BackupError('cloud.damaged', `pack ${packId.slice(0, 12)} arrived damaged from the cloud`);
    }
    await mkdir(layout.tmpDir(this.cacheRoot), { recursive: true });
    await writeFileAtomic(this.cacheRoot, path, bytes);
    this.fetched++;
    this.fetchedBytes += bytes.length;
    return path;
  }
}
