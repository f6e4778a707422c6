import { BackupError } from '../errors.js';
import type { Progress } from '../engine/progress.js';
import { lockShared } from '../repository/lock.js';
import type { Repository } from '../repository/repository.js';
import { type CloudClient, type CloudKind, type CloudObject, sha256Hex } from './cloud-client.js';
import { type LocalObject, UPLOAD_ORDER, listLocalObjects, readLocalObject } from './local-objects.js';

export interface ReplicateOptions {
  readonly progress?: Progress;
  /** Uploads in flight (default 3: packs are ≤ ~16 MiB, so memory stays below ~100 MiB). */
  readonly concurrency?: number;
  /** Called after each upload (tests use it to stop at a chosen point). */
  readonly onUploaded?: (object: LocalObject) => void;
}

export interface ReplicateResult {
  readonly uploaded: { readonly objects: number; readonly bytes: number };
  readonly alreadyThere: number;
  /** Objects the cloud lacked or holds differently after the run; empty when all is verified. */
  readonly problems: readonly string[];
}

const key = (kind: CloudKind, name: string) => `${kind}/${name}`;

/**
 * Uploads what the cloud lacks, in the order data → index → keys → config → snapshots, so the
 * cloud never names what it does not hold yet; an interrupted run leaves only extra objects and
 * the next run uploads the rest. Every upload is checked against the hash the server computed,
 * and at the end the cloud's listing is compared with the local repository once more.
 * Holds the shared repository lock, so no local prune removes a pack mid-way.
 */
export async function replicate(
  repo: Repository,
  cloud: CloudClient,
  options: ReplicateOptions = {},
): Promise<ReplicateResult> {
  const lock = await lockShared(repo.root);
  try {
    const local = await listLocalObjects(repo);
    const remote = new Map((await cloud.list()).map((object) => [key(object.kind, object.name), object]));
    await refuseOtherRepository(repo, remote);

    const problems: string[] = [];
    const missing: LocalObject[] = [];
    let alreadyThere = 0;
    for (const object of local) {
      const stored = remote.get(key(object.kind, object.name));
      if (stored === undefined) missing.push(object);
      else if (object.sha256 !== undefined && stored.sha256 !== object.sha256) {
        problems.push(`${object.kind}/${object.name} is stored damaged in the cloud (its hash differs)`);
      } else alreadyThere++;
    }

    const progress = options.progress;
    if (progress) {
      progress.filesTotal = missing.length;
      progress.bytesTotal = missing.reduce((sum, object) => sum + (object.size ?? 0), 0);
    }
    const uploaded = { objects: 0, bytes: 0 };
    for (const kind of UPLOAD_ORDER) {
      const batch = missing.filter((object) => object.kind === kind);
      await inParallel(batch, options.concurrency ?? 3, async (object) => {
        if (progress) progress.currentPath = `${object.kind}/${object.name}`;
        const bytes = await readLocalObject(repo, object);
        if (bytes === undefined) return; // removed by `forget` since the listing
        if (object.sha256 !== undefined && sha256Hex(bytes) !== object.sha256) {
          problems.push(`${object.kind}/${object.name} is damaged in the local repository; not uploaded`);
          return;
        }
        await cloud.put(object.kind, object.name, bytes);
        uploaded.objects++;
        uploaded.bytes += bytes.length;
        if (progress) {
          progress.filesDone++;
          progress.bytesDone += bytes.length;
          progress.bytesProcessed += bytes.length;
        }
        options.onUploaded?.(object);
      });
    }

    problems.push(...(await verify(repo, cloud, local)));
    return { uploaded, alreadyThere, problems };
  } finally {
    await lock.release();
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

/** Compares the cloud's listing with what should be there now. */
async function verify(
  repo: Repository,
  cloud: CloudClient,
  local: readonly LocalObject[],
): Promise<string[]> {
  const remote = new Map((await cloud.list()).map((object) => [key(object.kind, object.name), object]));
  const problems: string[] = [];
  for (const object of local) {
    const stored = remote.get(key(object.kind, object.name));
    const bytes = object.sha256 === undefined ? await readLocalObject(repo, object) : undefined;
    const expected = object.sha256 ?? (bytes && sha256Hex(bytes));
    if (expected === undefined) continue; // vanished locally
    if (stored === undefined) {
      if (object.kind === 'snapshots' && (await readLocalObject(repo, object)) === undefined) continue;
      problems.push(`${object.kind}/${object.name} is missing in the cloud after the upload`);
    } else if (stored.sha256 !== expected) {
      problems.push(`${object.kind}/${object.name} differs in the cloud`);
    }
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
