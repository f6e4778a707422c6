import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatePracticeKey } from '../keys/key-types.js';
import {
  BlindIndexer,
  blindIndexValue,
  deriveBlindIndexKey,
  nameDobIndexInput,
  normalizeKvnr,
} from './blind-index.js';

describe('blind indexes', () => {
  const pk = generatePracticeKey();

  it('are deterministic per key and 16 bits wide', async () => {
    const key = await deriveBlindIndexKey(pk, 1, 'kvnr');
    const again = await deriveBlindIndexKey(pk, 1, 'kvnr');
    assert.deepEqual(key, again);
    const value = blindIndexValue(key, 'A123456780');
    assert.equal(blindIndexValue(again, 'A123456780'), value);
    assert.ok(Number.isInteger(value) && value >= 0 && value < 65536);
  });

  it('separate fields, key versions and practices', async () => {
    const input = 'A123456780';
    const kvnr1 = await deriveBlindIndexKey(pk, 1, 'kvnr');
    const kvnr2 = await deriveBlindIndexKey(pk, 2, 'kvnr');
    const nameDob1 = await deriveBlindIndexKey(pk, 1, 'name_dob');
    const other = await deriveBlindIndexKey(generatePracticeKey(), 1, 'kvnr');
    const keys = [kvnr1, kvnr2, nameDob1, other].map((k) => Buffer.from(k).toString('hex'));
    assert.equal(new Set(keys).size, 4, 'independent keys');
    // 16-bit values of one input under 4 keys: equal by chance with probability ~1e-4 per pair.
    // Over 20 inputs, the values under different keys must differ for almost all.
    let equal = 0;
    for (let i = 0; i < 20; i++) {
      const v = `${input}${i}`;
      if (blindIndexValue(kvnr1, v) === blindIndexValue(kvnr2, v)) equal++;
      if (blindIndexValue(kvnr1, v) === blindIndexValue(nameDob1, v)) equal++;
      if (blindIndexValue(kvnr1, v) === blindIndexValue(other, v)) equal++;
    }
    assert.ok(equal <= 1, `${equal} collisions across keys`);
    await assert.rejects(deriveBlindIndexKey(pk, 0, 'kvnr'), RangeError);
  });

  it('spread 100,000 values over the 65,536 buckets (about 1.5 per bucket)', async () => {
    const key = await deriveBlindIndexKey(pk, 1, 'kvnr');
    const buckets = new Map<number, number>();
    for (let i = 0; i < 100_000; i++) {
      const value = blindIndexValue(key, `K${String(i).padStart(9, '0')}`);
      buckets.set(value, (buckets.get(value) ?? 0) + 1);
    }
    const largest = Math.max(...buckets.values());
    // Poisson with mean 1.53: ~51,000 buckets used; the largest holds well under 15.
    assert.ok(buckets.size > 48_000 && buckets.size < 54_000, `${buckets.size} buckets used`);
    assert.ok(largest < 15, `largest bucket ${largest}`);
  });

  it('normalise KVNR and surname + date of birth before hashing', async () => {
    assert.equal(normalizeKvnr(' a123 456 780 '), 'A123456780');
    assert.equal(normalizeKvnr('123456780'), undefined);
    assert.equal(normalizeKvnr('AB23456780'), undefined);
    assert.equal(nameDobIndexInput('Müller', '1980-03-12'), 'mueller|1980-03-12');
    assert.throws(() => nameDobIndexInput('Müller', '12.03.1980'), RangeError);
    const indexer = await BlindIndexer.create(pk, 3);
    assert.equal(indexer.kvnr('a123456780'), indexer.kvnr('A 123 456 780'));
    assert.equal(indexer.kvnr('nonsense'), undefined);
    assert.equal(indexer.nameDob('Müller', '1980-03-12'), indexer.nameDob('MUELLER', '1980-03-12'));
    assert.notEqual(
      indexer.nameDob('Müller', '1980-03-12'),
      (await BlindIndexer.create(pk, 4)).nameDob('Müller', '1980-03-12'),
    );
    const values = indexer.values({ familyName: 'Meier', birthDate: '1970-01-01' });
    assert.deepEqual(values, {
      pkVersion: 3,
      kvnr: undefined,
      nameDob: indexer.nameDob('Meier', '1970-01-01'),
    });
  });
});
