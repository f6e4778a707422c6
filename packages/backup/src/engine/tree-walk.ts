import { posix } from 'node:path';
import type { BlobId } from '../crypto/blob-id.js';
import type { TreeNode } from '../repository/tree.js';
import type { TreeLoader } from './tree-loader.js';

export interface WalkEntry {
  /** Absolute path inside the snapshot, e.g. `/home/praxis/db/patients.fdb`. */
  readonly path: string;
  readonly node: TreeNode;
}

/** Every node below `tree`, depth-first in name order. */
export async function* walkTree(trees: TreeLoader, tree: BlobId, base = '/'): AsyncGenerator<WalkEntry> {
  for (const node of (await trees.load(tree)).nodes) {
    const path = posix.join(base, node.name);
    yield { path, node };
    if (node.type === 'dir') yield* walkTree(trees, node.subtree, path);
  }
}

/** `+` added, `-` removed, `M` content changed, `T` type changed, `U` metadata (mode, mtime, owner) only. */
export type ChangeKind = '+' | '-' | 'M' | 'T' | 'U';

export interface Change {
  readonly kind: ChangeKind;
  readonly path: string;
  readonly node: TreeNode;
}

function sameContent(a: TreeNode, b: TreeNode): boolean {
  if (a.type === 'file' && b.type === 'file') {
    return (
      a.size === b.size &&
      a.content.length === b.content.length &&
      a.content.every((id, i) => id === b.content[i])
    );
  }
  if (a.type === 'symlink' && b.type === 'symlink') return a.target === b.target;
  return a.type === b.type;
}

function sameMetadata(a: TreeNode, b: TreeNode): boolean {
  return a.mode === b.mode && a.mtimeNs === b.mtimeNs && a.uid === b.uid && a.gid === b.gid;
}

/** What changed from tree `a` to tree `b`. Identical subtrees (same id) are skipped without reading. */
export async function* diffTrees(
  trees: TreeLoader,
  a: BlobId,
  b: BlobId,
  base = '/',
): AsyncGenerator<Change> {
  if (a === b) return;
  const left = new Map((await trees.load(a)).nodes.map((node) => [node.name, node]));
  const right = new Map((await trees.load(b)).nodes.map((node) => [node.name, node]));
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  for (const name of names) {
    const path = posix.join(base, name);
    const before = left.get(name);
    const after = right.get(name);
    if (!after) {
      yield* everything(trees, '-', before!, path);
    } else if (!before) {
      yield* everything(trees, '+', after, path);
    } else if (before.type !== after.type) {
      yield { kind: 'T', path, node: after };
    } else if (before.type === 'dir' && after.type === 'dir') {
      if (!sameMetadata(before, after)) yield { kind: 'U', path, node: after };
      yield* diffTrees(trees, before.subtree, after.subtree, path);
    } else if (!sameContent(before, after)) {
      yield { kind: 'M', path, node: after };
    } else if (!sameMetadata(before, after)) {
      yield { kind: 'U', path, node: after };
    }
  }
}

async function* everything(
  trees: TreeLoader,
  kind: '+' | '-',
  node: TreeNode,
  path: string,
): AsyncGenerator<Change> {
  yield { kind, path, node };
  if (node.type === 'dir') {
    for await (const entry of walkTree(trees, node.subtree, path))
      yield { kind, path: entry.path, node: entry.node };
  }
}
