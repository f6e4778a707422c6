import type { BlobId } from '../crypto/blob-id.js';
import { PackReader } from '../engine/pack-reader.js';
import { TreeLoader } from '../engine/tree-loader.js';
import { BackupError } from '../errors.js';
import { loadIndex } from '../repository/index-store.js';
import type { MasterIndex } from '../repository/master-index.js';
import type { Repository } from '../repository/repository.js';
import { loadSnapshots } from '../repository/snapshot-store.js';
import type { SnapshotUsage } from './policy.js';

export interface RepositoryUsage {
  readonly index: MasterIndex;
  /** Oldest first, with every blob (trees and data) each one needs. */
  readonly snapshots: readonly SnapshotUsage[];
}

/**
 * Reads the index and walks every snapshot's trees. Refuses (repo.damaged) when an index or
 * snapshot file cannot be read or a tree is missing: retention and prune must know exactly which
 * data every snapshot needs, or they could delete what an unreadable snapshot still refers to.
 * Time grows with snapshots × blobs (every snapshot is walked in full); memory with the sum of
 * the snapshots' blob counts (32 bytes per id and snapshot).
 */
export async function repositoryUsage(repo: Repository): Promise<RepositoryUsage> {
  const { index, problems } = await loadIndex(repo);
  const { snapshots, problems: snapshotProblems } = await loadSnapshots(repo);
  const all = [...problems, ...snapshotProblems];
  if (all.length > 0) {
    throw new BackupError(
      'repo.damaged',
      `refusing to apply retention to a damaged repository (${all[0]!}${all.length > 1 ? `, and ${all.length - 1} more` : ''}); run "tresor-backup check"`,
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
  return { index, snapshots: usage };
}

/**
 * Adds every blob (trees and data) below `root`, the tree of snapshot `id`, to `blobs`. A tree
 * already in `blobs` is not walked again (its blobs are there), so one set can gather several
 * snapshots. @throws BackupError repo.damaged when a tree is not in the index.
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
    blobs.add(tree);
    for (const node of (await trees.load(tree)).nodes) {
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
