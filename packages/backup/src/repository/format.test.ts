import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DecryptionFailed } from '../crypto/aead.js';
import type { BlobId } from '../crypto/blob-id.js';
import { type EncryptionKey, deriveRepositoryKeys, generateMasterKey } from '../crypto/keys.js';
import { BlobType, Codec } from '../format.js';
import type { BlobEntry } from './blob-entry.js';
import { openFile, sealFile } from './file-envelope.js';
import { decodeIndex, encodeIndex } from './index-format.js';
import { decodePackHeader, decodePackTrailer, encodePackHeader, encodePackTrailer } from './pack-format.js';
import { type Snapshot, decodeSnapshot, encodeSnapshot } from './snapshot.js';
import { type TreeNode, TreeFormatError, decodeTree, encodeTree } from './tree.js';

const hexId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString('hex') as BlobId);
const entry: fc.Arbitrary<BlobEntry> = fc.record(
  {
    type: fc.constantFrom(BlobType.data, BlobType.tree),
    codec: fc.constantFrom(Codec.none, Codec.zstd, Codec.brotli),
    id: hexId,
    offset: fc.nat({ max: 2 ** 32 - 1 }),
    length: fc.nat({ max: 2 ** 32 - 1 }),
    rawLength: fc.nat({ max: 2 ** 32 - 1 }),
  },
  { noNullPrototype: true },
);
const key = (): EncryptionKey => deriveRepositoryKeys(generateMasterKey(), '0'.repeat(32)).encryption;
const id = (c: string) => c.repeat(64) as BlobId;

describe('repository format v1', () => {
  it('pack headers and index files round-trip (property)', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 50 }), (entries) => {
        assert.deepEqual(decodePackHeader(encodePackHeader(entries)), entries);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record(
            { packId: hexId, entries: fc.array(entry, { maxLength: 10 }) },
            { noNullPrototype: true },
          ),
          {
            maxLength: 10,
          },
        ),
        (packs) => {
          assert.deepEqual(decodeIndex(encodeIndex(packs)), packs);
        },
      ),
    );
  });

  it('refuses truncated or garbage index and header bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const decode of [decodeIndex, decodePackHeader]) {
          try {
            decode(bytes);
          } catch (error) {
            assert.equal((error as Error).name, 'FormatError');
          }
        }
      }),
    );
    const index = encodeIndex([
      { packId: id('a'), entries: [{ type: 0, codec: 1, id: id('b'), offset: 0, length: 9, rawLength: 9 }] },
    ]);
    assert.throws(() => decodeIndex(index.subarray(0, index.length - 1)), { name: 'FormatError' });
  });

  it('pack trailers locate the header and reject bad magic', () => {
    assert.equal(decodePackTrailer(encodePackTrailer(1234), 2000), 1234);
    assert.throws(() => decodePackTrailer(encodePackTrailer(1234), 1000), { name: 'FormatError' });
    assert.throws(() => decodePackTrailer(new Uint8Array(8), 1000), { name: 'FormatError' });
  });

  it('sealed files open only as their own kind and under their own key', () => {
    const k = key();
    const sealed = sealFile(k, 'snapshot', Buffer.from('hello'));
    assert.equal(sealed[0], 1);
    assert.equal(Buffer.from(openFile(k, 'snapshot', sealed)).toString(), 'hello');
    assert.throws(() => openFile(k, 'index', sealed), DecryptionFailed);
    assert.throws(() => openFile(key(), 'snapshot', sealed), DecryptionFailed);
    const flipped = new Uint8Array(sealed);
    flipped[20]! ^= 1;
    assert.throws(() => openFile(k, 'snapshot', flipped), DecryptionFailed);
    const newer = new Uint8Array(sealed);
    newer[0] = 2;
    assert.throws(() => openFile(k, 'snapshot', newer), DecryptionFailed);
  });

  it('trees encode canonically (sorted, fixed key order) and round-trip', () => {
    const nodes: TreeNode[] = [
      {
        name: 'b.txt',
        type: 'file',
        mode: 0o644,
        mtimeNs: '1700000000123456789',
        uid: 1000,
        gid: 1000,
        size: 3,
        inode: '42',
        ctimeNs: '1700000000123456789',
        content: [id('c')],
      },
      { type: 'dir', name: 'a', mode: 0o755, mtimeNs: '1', uid: 0, gid: 0, subtree: id('d') },
      { name: 'l', type: 'symlink', mode: 0o777, mtimeNs: '2', uid: 0, gid: 0, target: '../x' },
    ];
    const bytes = encodeTree(nodes);
    assert.deepEqual(encodeTree([...nodes].reverse()), bytes);
    assert.deepEqual(
      decodeTree(bytes).nodes.map((n) => n.name),
      ['a', 'b.txt', 'l'],
    );
    assert.deepEqual(encodeTree(decodeTree(bytes).nodes), bytes);
  });

  it('trees refuse names that could escape a restore target', () => {
    for (const name of ['..', '.', 'a/b', '', 'x\u0000y', '..\\evil']) {
      const bytes = Buffer.from(
        JSON.stringify({
          v: 1,
          nodes: [{ name, type: 'symlink', mode: 0o777, mtimeNs: '0', uid: 0, gid: 0, target: 'x' }],
        }),
      );
      assert.throws(() => decodeTree(bytes), TreeFormatError, JSON.stringify(name));
    }
  });

  it('snapshots round-trip', () => {
    const snapshot: Snapshot = {
      v: 1,
      time: '2026-11-23T19:00:00.000Z',
      hostname: 'praxis-pc',
      username: 'mfa',
      paths: ['/srv/praxis'],
      tree: id('e'),
      parent: 'f'.repeat(64),
      summary: {
        files: 1,
        dirs: 2,
        symlinks: 0,
        bytes: 3,
        filesNew: 1,
        filesChanged: 0,
        filesUnchanged: 0,
        dataAdded: 3,
        packBytesAdded: 50,
        durationMs: 5,
      },
      warnings: [{ path: '/srv/praxis/a', message: 'changed' }],
      errors: [],
    };
    assert.deepEqual(decodeSnapshot(encodeSnapshot(snapshot)), snapshot);
    assert.throws(() => decodeSnapshot(Buffer.from(JSON.stringify({ ...snapshot, v: 2 }))), {
      name: 'SnapshotFormatError',
    });
  });
});
