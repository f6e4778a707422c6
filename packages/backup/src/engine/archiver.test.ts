import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { type TreeNode, encodeTree } from '../repository/tree.js';
import { sameNode } from './archiver.js';

const id = (c: string) => c.repeat(64) as BlobId;
const base = { name: 'befund.pdf', mode: 0o644, mtimeNs: '1700000000123456789', uid: 1000, gid: 1000 };
const file: TreeNode = {
  ...base,
  type: 'file',
  size: 42,
  inode: '77',
  ctimeNs: '1700000000123456789',
  content: [id('a'), id('b')],
};
const dir: TreeNode = { ...base, name: 'briefe', mode: 0o755, type: 'dir', subtree: id('c') };
const link: TreeNode = { ...base, name: 'aktuell', mode: 0o777, type: 'symlink', target: 'briefe' };

/** Every node that differs from `node` in exactly one field that the tree encoding writes. */
function variants(node: TreeNode): TreeNode[] {
  const common: TreeNode[] = [
    { ...node, name: `${node.name}x` },
    { ...node, mode: node.mode ^ 0o100 },
    { ...node, mtimeNs: '1700000000123456790' },
    { ...node, uid: 0 },
    { ...node, gid: 0 },
  ];
  switch (node.type) {
    case 'file':
      return [
        ...common,
        { ...node, size: node.size + 1 },
        { ...node, inode: '78' },
        { ...node, ctimeNs: '1' },
        { ...node, content: [id('a')] },
        { ...node, content: [id('b'), id('a')] },
        { ...node, content: [id('a'), id('d')] },
        { ...node, content: [id('a'), id('b'), id('d')] },
      ];
    case 'dir':
      return [...common, { ...node, subtree: id('d') }];
    case 'symlink':
      return [...common, { ...node, target: 'dokumente' }];
  }
}

describe('sameNode (the archiver reuses an unchanged directory listing by it)', () => {
  it('holds exactly when two nodes encode to the same tree bytes', () => {
    const nodes: TreeNode[] = [file, dir, link];
    for (const node of nodes) {
      const copy = JSON.parse(JSON.stringify(node)) as TreeNode;
      assert.ok(sameNode(node, copy));
      assert.deepEqual(encodeTree([node]), encodeTree([copy]));
      const others: TreeNode[] = [...variants(node), ...nodes.filter((n) => n !== node)];
      for (const other of others) {
        assert.equal(sameNode(node, other), false, JSON.stringify(other));
        assert.notDeepEqual(encodeTree([node]), encodeTree([other]));
      }
    }
  });

  it('is false against a missing node', () => {
    assert.equal(sameNode(file, undefined), false);
  });
});
