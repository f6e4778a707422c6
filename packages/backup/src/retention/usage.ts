import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DecryptionFailed } from '../crypto/aead.js';
import type { BlobId } from '../crypto/blob-id.js';
import { BlobDamaged } from '../engine/blob-codec.js';
import { PackReader } from '../engine/pack-reader.js';
import { TreeLoader } from '../engine/tree-loader.js';
import { BackupError } from '../errors.js';
import { openFile } from '../repository/file-envelope.js';
import { loadIndex } from '../repository/index-store.js';
import { type FileKind, layout } from '../repository/layout.js';
import type { MasterIndex } from '../repository/master-index.js';
import type { Repository } from '../repository/repository.js';
import { loadSnapshots } from '../repository/snapshot-store.js';
import type { SnapshotUsage } from './policy.js';

export interface RepositoryUsage {
  readonly index: MasterIndex;
  /** Oldest first, with every blob (trees and data) each one needs. */
  readonly snapshots: readonly SnapshotUsage[];
  /** Files left out as no holder of the repository key wrote them (only with `cloudSha256`). */
  readonly foreign: readonly ForeignFile[];
}

/** An index or snapshot file that cannot have been written with the repository's key. */
export interface ForeignFile {
  readonly kind: FileKind;
  readonly id: string;
  /** Why, for the report. */
  readonly reason: string;
}

export interface UsageOptions {
  /**
   * For the cloud copy, where anyone with an agent token can add objects (only retention can
   * delete them): the SHA-256 the cloud lists for a file. With it, index and snapshot files that no
   * holder of the repository key can have written ({@link foreignReason}) are left out and listed
   * in `foreign` instead of refusing: they need nothing and describe no pack.
   */
  readonly cloudSha256?: (kind: FileKind, id: string) => string | undefined;
}

/**
 * Reads the index and walks every snapshot's trees. Refuses (repo.damaged) when an index or
 * snapshot file cannot be read or a tree is missing: retention and prune must know exactly which
 * data every snapshot needs, or they could delete what an unreadable snapshot still refers to.
 * Foreign files (see {@link UsageOptions}) are the one exception. A foreign index file names no
 * pack here: packs that only it names are unindexed for prune, which leaves those alone.
 * Time grows with snapshots × blobs (every snapshot is walked in full); memory with the sum of
 * the snapshots' blob counts (32 bytes per id and snapshot).
 */
export async function repositoryUsage(
  repo: Repository,
  options: UsageOptions = {},
): Promise<RepositoryUsage> {
  const { index, damaged } = await loadIndex(repo);
  const { snapshots, damaged: damagedSnapshots } = await loadSnapshots(repo);
  let all = [...damaged, ...damagedSnapshots];
  const foreign: ForeignFile[] = [];
  if (all.length > 0 && options.cloudSha256 !== undefined) {
    for (const { kind, id } of all) {
      const reason = await foreignReason(repo, kind, id, options.cloudSha256(kind, id));
      if (reason !== undefined) foreign.push({ kind, id, reason });
    }
    // A problem is left out only when it is about exactly a foreign file: same kind, same name.
    const foreignFiles = new Set(foreign.map(({ kind, id }) => `${kind}/${id}`));
    all = all.filter(({ kind, id }) => !foreignFiles.has(`${kind}/${id}`));
  }
  if (all.length > 0) {
    throw new BackupError(
      'repo.damaged',
      `refusing to apply retention to a damaged repository (${all[0]!.message}${all.length > 1 ? `, and ${all.length - 1} more` : ''}); run "tresor-backup check"`,
    );
  }
  const reader = new PackReader(repo);
  const trees = new TreeLoader(repo, index, reader);
  const usage: SnapshotUsage[] = [];
  try {
    for (const { id, snapshot } of snapshots) {
      const blobs = new Set<BlobId>();
      await collectBlobs(index, trees, id, snapshot.tree, blobs);
      usage.push({ id, time: new Date(snapshot.time), blobs: [...blobs] });
    }
  } finally {
    await reader.close();
  }
  return { index, snapshots: usage, foreign };
}

/**
 * Why an unreadable file cannot have been written with the repository key, or undefined when it
 * may have been (then it is real damage). Every writer names a file by the SHA-256 of its sealed
 * bytes. So a file that matches its name but does not open under the key was sealed by someone
 * without it; and a file whose bytes are exactly what the cloud lists under a name that is not
 * their hash was stored there by someone else (the server does not check names). A file that
 * matches neither its name nor the cloud's hash is a damaged copy here: real damage.
 */
async function foreignReason(
  repo: Repository,
  kind: FileKind,
  id: string,
  cloudSha256: string | undefined,
): Promise<string | undefined> {
  const bytes = await readFile(layout.file(repo.root, kind, id));
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (hash !== id) return hash === cloudSha256 ? 'its name is not the hash of its content' : undefined;
  try {
    openFile(repo.keys.encryption, kind, bytes);
  } catch (error) {
    if (error instanceof DecryptionFailed) return 'it does not decrypt with the repository key';
    throw error;
  }
  return undefined; // it decrypts but does not parse: sealed with the key, so damaged for real
}

/**
 * Adds every blob (trees and data) below `root`, the tree of snapshot `id`, to `blobs`. A tree
 * already in `blobs` is not walked again (its blobs are there), so one set can gather several
 * snapshots. @throws BackupError repo.damaged when a tree is not in the index or cannot be read.
 */
export async function collectBlobs(
  index: MasterIndex,
  trees: TreeLoader,
  id: string,
  root: BlobId,
  blobs: Set<BlobId>,
): Promise<void> {
  const walk = async (tree: BlobId): Promise<void> => {
    if (blobs.has(tree)) return;
    if (!index.has(tree)) {
      throw new BackupError(
        'repo.damaged',
        `snapshot ${id.slice(0, 8)} needs a directory listing that is not in the index; run "tresor-backup check"`,
      );
    }
    let listing: Awaited<ReturnType<TreeLoader['load']>>;
    try {
      listing = await trees.load(tree);
    } catch (error) {
      if (!(error instanceof BlobDamaged)) throw error;
      throw new BackupError(
        'repo.damaged',
        `snapshot ${id.slice(0, 8)} has a directory listing that cannot be read (${error.message}); run "tresor-backup check"`,
      );
    }
    blobs.add(tree);
    for (const node of listing.nodes) {
      if (node.type === 'file') for (const blob of node.content) blobs.add(blob);
      else if (node.type === 'dir') await walk(node.subtree);
    }
  };
  await walk(root);
}

/** A blob's stored size (compressed, encrypted) as the index records it; 0 if not indexed. */
export function storedSize(index: MasterIndex): (id: BlobId) => number {
  return (id) => index.get(id)?.length ?? 0;
}
