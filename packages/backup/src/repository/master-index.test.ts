import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { BlobType, Codec } from '../format.js';
import type { BlobEntry } from './blob-entry.js';
import { FormatError } from './blob-entry.js';
import { type PackRecord, encodeIndex } from './index-format.js';
import { MasterIndex } from './master-index.js';

const idOf = (seed: string) => createHash('sha256').update(seed).digest('hex') as BlobId;

function entry(seed: string, offset: number, type: BlobType = BlobType.data): BlobEntry {
  return { type, codec: Codec.zstd, id: idOf(seed), offset, length: 100 + offset, rawLength: 200 + offset };
}

function pack(name: string, entries: BlobEntry[]): PackRecord {
  return { packId: idOf(`pack ${name}`), entries };
}

describe('MasterIndex', () => {
  it('finds every blob of packs added as records and as encoded index files alike', () => {
    const many = Array.from({ length: 5000 }, (_, i) => entry(`blob ${i}`, i * 10));
    const packs = [pack('a', many.slice(0, 3000)), pack('b', many.slice(3000))];
    const fromRecords = new MasterIndex();
    for (const p of packs) fromRecords.add(p);
    const fromFile = new MasterIndex();
    fromFile.addEncoded(encodeIndex(packs));
    for (const index of [fromRecords, fromFile]) {
      assert.equal(index.blobCount, 5000);
      assert.equal(index.packCount, 2);
      for (const [i, e] of many.entries()) {
        assert.deepEqual(index.get(e.id), { ...e, packId: packs[i < 3000 ? 0 : 1]!.packId });
        assert.equal(index.has(e.id), true);
      }
      assert.deepEqual(index.entriesOf(packs[1]!.packId), many.slice(3000));
      assert.deepEqual(
        [...index.packs()].map(([id, entries]) => [id, entries.length]),
        [
          [packs[0]!.packId, 3000],
          [packs[1]!.packId, 2000],
        ],
      );
    }
  });

  it('keeps the first place of a blob stored twice, and each pack its own full list', () => {
    const shared = entry('shared', 0);
    const first = pack('first', [shared, entry('only first', 50)]);
    const second = pack('second', [entry('only second', 0), { ...shared, offset: 70 }]);
    const index = new MasterIndex();
    index.add(first);
    index.addEncoded(encodeIndex([second]));
    index.add(first); // a known pack is not added again
    assert.equal(index.blobCount, 3);
    assert.equal(index.packCount, 2);
    assert.equal(index.get(shared.id)?.packId, first.packId);
    assert.equal(index.get(shared.id)?.offset, 0);
    assert.equal(index.entriesOf(second.packId)?.length, 2);
  });

  it('answers "unknown" for ids it does not hold and for strings that are no blob ids', () => {
    const index = new MasterIndex();
    assert.equal(index.has(idOf('x')), false); // empty
    const e = entry('present', 0);
    index.add(pack('p', [e]));
    assert.equal(index.has(idOf('absent')), false);
    for (const bad of ['', e.id.toUpperCase(), e.id.slice(0, 63), `${e.id}0`, `zz${e.id.slice(2)}`]) {
      assert.equal(index.has(bad as BlobId), false, bad);
      assert.equal(index.get(bad as BlobId), undefined);
    }
    assert.equal(index.entriesOf(idOf('no such pack')), undefined);
    assert.equal(index.hasPack(idOf('no such pack')), false);
  });

  it('adds nothing from a damaged index file', () => {
    const good = encodeIndex([pack('p', [entry('a', 0), entry('b', 10)])]);
    const unknownType = good.slice();
    unknownType[4 + 32 + 4 + 46] = 9; // the second entry's type
    const damaged = [
      good.subarray(0, good.length - 1),
      unknownType,
      new Uint8Array([...good, 0]),
      good.subarray(0, 3),
    ];
    for (const bytes of damaged) {
      const index = new MasterIndex();
      assert.throws(() => {
        index.addEncoded(bytes);
      }, FormatError);
      assert.equal(index.blobCount, 0);
      assert.equal(index.packCount, 0);
    }
    const index = new MasterIndex();
    assert.throws(() => {
      index.add(pack('bad', [{ ...entry('c', 0), id: 'not hex' as BlobId }]));
    }, FormatError);
    assert.equal(index.packCount, 0);
  });
});
