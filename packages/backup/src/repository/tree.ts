import { type BlobId, isBlobId } from '../crypto/blob-id.js';

/**
 * One directory listing, stored as a tree blob: canonical JSON `{"v":1,"nodes":[…]}` with nodes
 * sorted by name. Identical directories give identical bytes and so deduplicate like data.
 * Times are nanoseconds since the epoch as decimal strings (exact; JSON numbers are not).
 */
interface NodeBase {
  readonly name: string;
  /** Permission bits and setuid/setgid/sticky (`mode & 0o7777`). */
  readonly mode: number;
  readonly mtimeNs: string;
  readonly uid: number;
  readonly gid: number;
}

export interface FileNode extends NodeBase {
  readonly type: 'file';
  readonly size: number;
  /** With size, mtime and ctime: the metadata cache key that lets later runs skip reading the file. */
  readonly inode: string;
  readonly ctimeNs: string;
  readonly content: readonly BlobId[];
}

export interface DirNode extends NodeBase {
  readonly type: 'dir';
  readonly subtree: BlobId;
}

export interface SymlinkNode extends NodeBase {
  readonly type: 'symlink';
  readonly target: string;
}

export type TreeNode = FileNode | DirNode | SymlinkNode;

export interface Tree {
  readonly v: 1;
  readonly nodes: readonly TreeNode[];
}

export function encodeTree(nodes: readonly TreeNode[]): Uint8Array {
  const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
  return Buffer.from(JSON.stringify({ v: 1, nodes: sorted.map(canonicalNode) }));
}

/** Fixed key order, so equal nodes always serialise to equal bytes. */
function canonicalNode(node: TreeNode): TreeNode {
  const base = {
    name: node.name,
    type: node.type,
    mode: node.mode,
    mtimeNs: node.mtimeNs,
    uid: node.uid,
    gid: node.gid,
  };
  switch (node.type) {
    case 'file':
      return {
        ...base,
        type: 'file',
        size: node.size,
        inode: node.inode,
        ctimeNs: node.ctimeNs,
        content: node.content,
      };
    case 'dir':
      return { ...base, type: 'dir', subtree: node.subtree };
    case 'symlink':
      return { ...base, type: 'symlink', target: node.target };
  }
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class TreeFormatError extends Error {
  override readonly name = 'TreeFormatError';
}

const NS = /^-?\d{1,25}$/;

/** A name that is safe to join below a restore target: no separators, not `.` or `..`, no NUL. */
export function isSafeName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 4096 &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !name.includes('\\') &&
    !name.includes('\u0000')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isUint = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function parseNode(value: unknown): TreeNode {
  if (!isRecord(value)) throw new TreeFormatError('tree node is not an object');
  const { name, type, mode, mtimeNs, uid, gid } = value;
  if (!isSafeName(name)) throw new TreeFormatError('unsafe name in tree');
  if (
    !isUint(mode) ||
    mode > 0o7777 ||
    typeof mtimeNs !== 'string' ||
    !NS.test(mtimeNs) ||
    !isUint(uid) ||
    !isUint(gid)
  ) {
    throw new TreeFormatError(`bad metadata for ${name}`);
  }
  // Object literals with every field written out (not spread from a shared base): the nodes of
  // one type share a shape, which keeps decoding large listings cheap.
  switch (type) {
    case 'file': {
      const { size, inode, ctimeNs, content } = value;
      if (!isUint(size) || typeof inode !== 'string' || typeof ctimeNs !== 'string' || !NS.test(ctimeNs)) {
        throw new TreeFormatError(`bad file node ${name}`);
      }
      if (!Array.isArray(content) || !content.every(isBlobId))
        throw new TreeFormatError(`bad content of ${name}`);
      return { name, mode, mtimeNs, uid, gid, type, size, inode, ctimeNs, content };
    }
    case 'dir': {
      const { subtree } = value;
      if (!isBlobId(subtree)) throw new TreeFormatError(`bad subtree of ${name}`);
      return { name, mode, mtimeNs, uid, gid, type, subtree };
    }
    case 'symlink': {
      const { target } = value;
      if (typeof target !== 'string' || target.includes('\u0000')) {
        throw new TreeFormatError(`bad symlink ${name}`);
      }
      return { name, mode, mtimeNs, uid, gid, type, target };
    }
    default:
      throw new TreeFormatError(`unknown node type for ${name}`);
  }
}

export function decodeTree(bytes: Uint8Array): Tree {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new TreeFormatError('tree is not JSON');
  }
  if (!isRecord(value) || value.v !== 1 || !Array.isArray(value.nodes))
    throw new TreeFormatError('not a tree');
  const nodes = value.nodes.map(parseNode);
  for (let i = 1; i < nodes.length; i++) {
    if (compareNames(nodes[i - 1]!.name, nodes[i]!.name) >= 0)
      throw new TreeFormatError('tree nodes not sorted');
  }
  return { v: 1, nodes };
}

export type { BlobId };
