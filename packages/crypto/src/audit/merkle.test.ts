import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '../encoding.js';
import {
  consistencyProof,
  consistencyProofRanges,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  merkleRoot,
  nodeHash,
  RangeHasher,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

// The Certificate Transparency reference tree (RFC 6962 test data used by CT implementations):
// eight leaves and the tree head of every prefix. Values only; the code here is our own.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((data) => leafHash(hexToBytes(data)));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION: { index: number; size: number; proof: string[] }[] = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CT_CONSISTENCY: { from: number; to: number; proof: string[] }[] = [
  { from: 1, to: 8, proof: CT_INCLUSION[0]!.proof },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const hex = (hashes: Uint8Array[]) => hashes.map(bytesToHex);
const root = (size: number) => hexToBytes(CT_ROOTS[size]!);

/** 32 distinct pseudo-random leaves, for exhaustive checks over every tree shape up to 32. */
const MANY = Array.from({ length: 32 }, (_, i) => leafHash(new Uint8Array([i, (i * 37) & 255, 7])));
const MANY_ROOTS = Array.from({ length: 33 }, (_, n) => merkleRoot(MANY.slice(0, n)));

/** The RFC 6962 definition of MTH, written out directly as the reference. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return hexToBytes(CT_ROOTS[0]!);
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('RFC 6962 Merkle tree', () => {
  it('matches the Certificate Transparency tree heads for sizes 0 to 8', () => {
    for (let n = 0; n <= 8; n++) assert.equal(bytesToHex(merkleRoot(CT_LEAVES.slice(0, n))), CT_ROOTS[n]);
  });

  it('agrees with the recursive definition for every size up to 32', () => {
    for (let n = 0; n <= 32; n++) assert.deepEqual(MANY_ROOTS[n], referenceRoot(MANY.slice(0, n)), `n=${n}`);
  });

  it('restores a frontier from its nodes and keeps growing it identically', () => {
    const frontier = MerkleFrontier.empty();
    for (let n = 0; n < 32; n++) {
      const restored = MerkleFrontier.restore(frontier.size, frontier.nodes());
      restored.push(MANY[n]!);
      frontier.push(MANY[n]!);
      assert.deepEqual(restored.root(), MANY_ROOTS[n + 1]);
    }
    assert.throws(() => MerkleFrontier.restore(3, [MANY[0]!]), RangeError);
  });

  it('produces the Certificate Transparency inclusion proofs, and they verify', () => {
    for (const { index, size, proof } of CT_INCLUSION) {
      const leaves = CT_LEAVES.slice(0, size);
      assert.deepEqual(hex(inclusionProof(leaves, index)), proof);
      assert.ok(verifyInclusion(index, size, leaves[index]!, proof.map(hexToBytes), root(size)));
    }
  });

  it('produces the Certificate Transparency consistency proofs, and they verify', () => {
    for (const { from, to, proof } of CT_CONSISTENCY) {
      assert.deepEqual(hex(consistencyProof(CT_LEAVES.slice(0, to), from)), proof, `${from}→${to}`);
      assert.ok(verifyConsistency(from, to, root(from), root(to), proof.map(hexToBytes)));
    }
  });

  it('verifies every inclusion and consistency proof for 1 ≤ m ≤ n ≤ 32', () => {
    for (let n = 1; n <= 32; n++) {
      const leaves = MANY.slice(0, n);
      for (let i = 0; i < n; i++) {
        assert.ok(verifyInclusion(i, n, leaves[i]!, inclusionProof(leaves, i), MANY_ROOTS[n]!), `${i}∈${n}`);
      }
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(leaves, m);
        assert.ok(verifyConsistency(m, n, MANY_ROOTS[m]!, MANY_ROOTS[n]!, proof), `${m}→${n}`);
      }
    }
  });

  it('rejects every mangled consistency proof, wrong root and rewritten history', () => {
    const other = leafHash(new Uint8Array([255]));
    for (let n = 2; n <= 32; n++) {
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(MANY.slice(0, n), m);
        const [oldRoot, newRoot] = [MANY_ROOTS[m]!, MANY_ROOTS[n]!];
        const check = (p: Uint8Array[], a = oldRoot, b = newRoot) => verifyConsistency(m, n, a, b, p);
        for (let j = 0; j < proof.length; j++) {
          const flipped = proof.map((h) => h.slice());
          flipped[j]![0]! ^= 1;
          assert.equal(check(flipped), false, `flip ${j} of ${m}→${n}`);
        }
        assert.equal(check(proof.slice(0, -1)), false, `short ${m}→${n}`);
        assert.equal(check([...proof, other]), false, `long ${m}→${n}`);
        assert.equal(check(proof, other), false, `old root ${m}→${n}`);
        assert.equal(check(proof, oldRoot, other), false, `new root ${m}→${n}`);
        // The proof for a tree whose first m leaves differ: a rewritten history.
        const rewritten = [other, ...MANY.slice(1, n)];
        assert.equal(check(consistencyProof(rewritten, m), oldRoot, merkleRoot(rewritten)), false);
      }
    }
  });

  it('handles the degenerate sizes', () => {
    const r = MANY_ROOTS[5]!;
    assert.ok(verifyConsistency(5, 5, r, r, []));
    assert.equal(verifyConsistency(5, 5, r, MANY_ROOTS[6]!, []), false);
    assert.equal(verifyConsistency(5, 5, r, r, [r]), false);
    assert.ok(verifyConsistency(0, 5, MANY_ROOTS[0]!, r, []));
    assert.equal(verifyConsistency(0, 5, r, r, []), false);
    assert.equal(verifyConsistency(6, 5, MANY_ROOTS[6]!, r, []), false);
    assert.equal(verifyConsistency(2, 5, MANY_ROOTS[2]!, r, [new Uint8Array(31)]), false);
    assert.equal(verifyInclusion(5, 5, MANY[4]!, [], r), false);
    assert.deepEqual(consistencyProof(MANY.slice(0, 5), 0), []);
    assert.throws(() => consistencyProofRanges(6, 5), RangeError);
    assert.throws(() => inclusionProof(MANY.slice(0, 5), 5), RangeError);
  });

  it('computes proof hashes in one streaming pass exactly as from the whole list', () => {
    for (let n = 1; n <= 32; n++) {
      for (let m = 1; m <= n; m++) {
        const hasher = new RangeHasher(consistencyProofRanges(m, n));
        for (const leaf of MANY.slice(0, hasher.needed)) hasher.push(leaf);
        assert.deepEqual(hasher.hashes(), consistencyProof(MANY.slice(0, n), m), `${m}→${n}`);
      }
    }
  });
});
