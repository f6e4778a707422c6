import { readFile } from 'node:fs/promises';
import { errnoCode } from '../errors.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { type CloudKind, isObjectName } from './cloud-client.js';

/** A file of the local repository as a cloud object. */
export interface LocalObject {
  readonly kind: CloudKind;
  readonly name: string;
  readonly size: number | undefined;
  /** The SHA-256 the stored bytes must have, when the name says it (packs, index, snapshots). */
  readonly sha256: string | undefined;
}

/** The order of upload (docs/BACKUP_FORMAT.md, "Cloud replication"): what others need comes first. */
export const UPLOAD_ORDER: readonly CloudKind[] = ['data', 'index', 'keys', 'config', 'snapshots'];

/**
 * Everything the cloud should hold, listed snapshots first, then index files, then packs: a
 * snapshot listed here only needs index files and packs that were durable before it, so they are
 * in the listing too (files are only ever added, and prune is excluded by the caller's lock).
 */
export async function listLocalObjects(repo: Repository): Promise<LocalObject[]> {
  const snapshots = await repo.listFiles('snapshot');
  const indexFiles = await repo.listFiles('index');
  const packs = await repo.listPacks();
  const slots = await repo.listKeySlots();
  return [
    ...[...packs].map(([name, size]): LocalObject => ({ kind: 'data', name, size, sha256: name })),
    ...indexFiles.map((name): LocalObject => ({ kind: 'index', name, size: undefined, sha256: name })),
    ...slots.map(({ id }): LocalObject => ({ kind: 'keys', name: id, size: undefined, sha256: undefined })),
    { kind: 'config', name: 'config', size: undefined, sha256: undefined },
    ...snapshots.map((name): LocalObject => ({ kind: 'snapshots', name, size: undefined, sha256: name })),
  ];
}

/**
 * Where the object lives in a repository directory `root`. Only for names of repository files
 * ({@link isObjectName}; the cloud client leaves every other listed name out): any other name
 * could point outside `root`.
 */
export function localPath(root: string, object: Pick<LocalObject, 'kind' | 'name'>): string {
  if (!isObjectName(object.kind, object.name)) {
    throw new Error(
      `not the name of a repository file: ${JSON.stringify(`${String(object.kind)}/${object.name}`)}`,
    );
  }
  switch (object.kind) {
    case 'data':
      return layout.pack(root, object.name);
    case 'index':
      return layout.file(root, 'index', object.name);
    case 'snapshots':
      return layout.file(root, 'snapshot', object.name);
    case 'keys':
      return layout.key(root, object.name);
    case 'config':
      return layout.config(root);
  }
}

/** The object's bytes, or undefined when the file vanished (a snapshot removed by `forget`). */
export async function readLocalObject(
  repo: Repository,
  object: LocalObject,
): Promise<Uint8Array | undefined> {
  try {
    return await readFile(localPath(repo.root, object));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
