/**
 * The Merkle tree of RFC 6962 §2.1 (Certificate Transparency) with SHA-256: tree hashes,
 * inclusion and consistency proofs, and their verification (RFC 9162 §2.1.3.2 and §2.1.4.2).
 *
 * Sizes and indexes are plain numbers (safe integers); no 32-bit bit operations are used, so
 * trees may grow beyond 2^31 leaves. Functions that take `leafHashes` expect leaf hashes
 * (`leafHash(data)`), not the leaf data itself.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual } from '../encoding.js';

export const MERKLE_HASH_BYTES = 32;

/** A half-open range [start, end) of leaf positions whose tree hash is part of a proof. */
export type LeafRange = readonly [start: number, end: number];

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** SHA-256(0x00 || data): the hash of one leaf. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_PREFIX, data));
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

function assertSize(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer between 0 and ${max}, got ${value}`);
  }
}

function isHash(value: Uint8Array): boolean {
  return value instanceof Uint8Array && value.length === MERKLE_HASH_BYTES;
}

/**
 * The tree hash of a growing list of leaves, kept in O(log n) memory: the roots of the perfect
 * subtrees that the list decomposes into (one per set bit of its size, largest first).
 * Appending is amortised O(1) hashes; `root()` is O(log n).
 */
export class MerkleFrontier {
  #size: number;
  readonly #nodes: Uint8Array[];

  private constructor(size: number, nodes: Uint8Array[]) {
    this.#size = size;
    this.#nodes = nodes;
  }

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** Restores a frontier saved with `nodes()`; throws if the node count does not fit the size. */
  static restore(size: number, nodes: readonly Uint8Array[]): MerkleFrontier {
    assertSize('size', size);
    let bits = 0;
    for (let rest = size; rest > 0; rest = half(rest)) if (isOdd(rest)) bits++;
    if (nodes.length !== bits || !nodes.every(isHash)) {
      throw new RangeError(`a frontier of size ${size} has ${bits} hashes of ${MERKLE_HASH_BYTES} bytes`);
    }
    return new MerkleFrontier(
      size,
      nodes.map((node) => node.slice()),
    );
  }

  get size(): number {
    return this.#size;
  }

  /** The perfect-subtree roots, largest subtree first (copies). */
  nodes(): Uint8Array[] {
    return this.#nodes.map((node) => node.slice());
  }

  push(leaf: Uint8Array): void {
    if (!isHash(leaf)) throw new TypeError('a leaf hash has 32 bytes');
    let hash = leaf;
    for (let carry = this.#size; isOdd(carry); carry = half(carry)) {
      hash = nodeHash(this.#nodes.pop()!, hash);
    }
    this.#nodes.push(hash);
    this.#size++;
  }

  /** RFC 6962 MTH of the leaves pushed so far; SHA-256 of the empty string for none. */
  root(): Uint8Array {
    let hash = this.#nodes.at(-1);
    if (hash === undefined) return sha256(new Uint8Array(0));
    for (let i = this.#nodes.length - 2; i >= 0; i--) hash = nodeHash(this.#nodes[i]!, hash);
    return hash;
  }
}

/** RFC 6962 Merkle tree hash (MTH) over the given leaf hashes. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const frontier = MerkleFrontier.empty();
  for (const leaf of leafHashes) frontier.push(leaf);
  return frontier.root();
}

/**
 * The leaf ranges whose tree hashes form the inclusion proof of leaf `index` in a tree of
 * `size` leaves (RFC 6962 §2.1.1 PATH), in proof order.
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  assertSize('size', size);
  assertSize('index', index, size - 1);
  const out: LeafRange[] = [];
  const path = (m: number, start: number, end: number): void => {
    if (end - start <= 1) return;
    const k = splitPoint(end - start);
    if (m < k) {
      path(m, start, start + k);
      out.push([start + k, end]);
    } else {
      path(m - k, start + k, end);
      out.push([start, start + k]);
    }
  };
  path(index, 0, size);
  return out;
}

/**
 * The leaf ranges whose tree hashes form the consistency proof between the tree of the first
 * `oldSize` leaves and the tree of `newSize` leaves (RFC 6962 §2.1.2 PROOF), in proof order.
 * Empty when oldSize is 0 or equals newSize.
 */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  assertSize('newSize', newSize);
  assertSize('oldSize', oldSize, newSize);
  const out: LeafRange[] = [];
  const subproof = (m: number, start: number, end: number, complete: boolean): void => {
    if (m === end - start) {
      if (!complete) out.push([start, end]);
      return;
    }
    const k = splitPoint(end - start);
    if (m <= k) {
      subproof(m, start, start + k, complete);
      out.push([start + k, end]);
    } else {
      subproof(m - k, start + k, end, false);
      out.push([start, start + k]);
    }
  };
  if (oldSize > 0) subproof(oldSize, 0, newSize, true);
  return out;
}

/**
 * Tree hashes of `ranges` computed in one pass over leaves that arrive in order, in O(log n)
 * memory per range: feed every leaf hash from position 0 with `push`, then read `hashes()`.
 * This is how a server answers proofs over a log too large to hold in memory.
 */
export class RangeHasher {
  readonly #ranges: readonly LeafRange[];
  readonly #frontiers: MerkleFrontier[];
  #position = 0;

  constructor(ranges: readonly LeafRange[]) {
    this.#ranges = ranges;
    this.#frontiers = ranges.map(() => MerkleFrontier.empty());
  }

  /** The number of leaves needed: every range ends at or before it. */
  get needed(): number {
    return Math.max(0, ...this.#ranges.map(([, end]) => end));
  }

  push(leaf: Uint8Array): void {
    const position = this.#position++;
    this.#ranges.forEach(([start, end], i) => {
      if (position >= start && position < end) this.#frontiers[i]!.push(leaf);
    });
  }

  hashes(): Uint8Array[] {
    if (this.#position < this.needed) {
      throw new RangeError(`range hashes need ${this.needed} leaves, got ${this.#position}`);
    }
    return this.#frontiers.map((frontier) => frontier.root());
  }
}

function hashRanges(leafHashes: readonly Uint8Array[], ranges: readonly LeafRange[]): Uint8Array[] {
  return ranges.map(([start, end]) => merkleRoot(leafHashes.slice(start, end)));
}

/** Inclusion proof of leaf `index` in the tree over all of `leafHashes`. */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  return hashRanges(leafHashes, inclusionProofRanges(index, leafHashes.length));
}

/** Consistency proof from the tree of the first `oldSize` leaf hashes to the tree of all of them. */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  return hashRanges(leafHashes, consistencyProofRanges(oldSize, leafHashes.length));
}

/** RFC 9162 §2.1.3.2: does `proof` show `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return false;
  }
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && constantTimeEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `oldSize` leaves with `oldRoot` is a
 * prefix of the tree of `newSize` leaves with `newRoot`? Equal sizes need an empty proof and
 * equal roots; an empty old tree is a prefix of every tree.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize)) return false;
  if (oldSize < 0 || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) return false;
  if (oldSize === newSize) return proof.length === 0 && constantTimeEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0 && constantTimeEqual(oldRoot, merkleRoot([]));
  if (proof.length === 0) return false;

  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && constantTimeEqual(fr, oldRoot) && constantTimeEqual(sr, newRoot);
}
