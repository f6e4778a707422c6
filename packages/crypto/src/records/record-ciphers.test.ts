import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecryptionError } from '../keys/errors.js';
import { generateDataKey, generatePracticeKey } from '../keys/key-types.js';
import { pkVersionOfKid, practiceKeyKid, unwrapDataKey, wrapDataKey } from './data-key.js';
import { DirectoryCipher, directoryKid, pkVersionOfDirectoryKid } from './directory-cipher.js';
import { openField, sealField } from './field-cipher.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const recordId = '0b4c7a1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b';
const otherId = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

describe('record data keys', () => {
  it('wrap under a practice-key version, bound to practice and record', async () => {
    const pk = generatePracticeKey();
    const dk = generateDataKey();
    const wrapped = await wrapDataKey(pk, 3, dk, { practiceId, recordId });
    assert.equal(wrapped.kid, 'pk.v3');
    assert.equal(pkVersionOfKid(wrapped.kid), 3);
    assert.equal(practiceKeyKid(3), 'pk.v3');
    assert.deepEqual(await unwrapDataKey(pk, wrapped, { practiceId, recordId }), dk);
    await assert.rejects(unwrapDataKey(pk, wrapped, { practiceId, recordId: otherId }), DecryptionError);
    await assert.rejects(unwrapDataKey(pk, wrapped, { practiceId: otherId, recordId }), DecryptionError);
    await assert.rejects(
      unwrapDataKey(pk, { ...wrapped, kid: 'pk.v2' }, { practiceId, recordId }),
      DecryptionError,
    );
    await assert.rejects(
      unwrapDataKey(generatePracticeKey(), wrapped, { practiceId, recordId }),
      DecryptionError,
    );
  });
});

describe('field encryption', () => {
  it('binds practice, record, field and version', async () => {
    const dk = generateDataKey();
    const ctx = { practiceId, recordId, field: 'master', version: 2 };
    const sealed = await sealField(dk, ctx, { familyName: 'Meier' });
    assert.deepEqual(await openField(dk, sealed, ctx), { familyName: 'Meier' });
    for (const wrong of [
      { ...ctx, version: 1 },
      { ...ctx, field: 'entry/1' },
      { ...ctx, recordId: otherId },
      { ...ctx, practiceId: otherId },
    ]) {
      await assert.rejects(openField(dk, sealed, wrong), DecryptionError);
    }
    await assert.rejects(openField(generateDataKey(), sealed, ctx), DecryptionError);
    assert.throws(() => sealField(dk, { ...ctx, field: 'Bad Field' }, 1), TypeError);
  });
});

describe('directory entries', () => {
  it('open under any held practice-key version, bound to practice and patient', async () => {
    const v1 = generatePracticeKey();
    const v2 = generatePracticeKey();
    const cipher = new DirectoryCipher(
      practiceId,
      new Map([
        [1, v1],
        [2, v2],
      ]),
    );
    const entry = { givenName: 'Anna', familyName: 'Meier' };
    const old = await cipher.seal(1, recordId, entry);
    const current = await cipher.seal(2, recordId, entry);
    assert.equal(current.kid, directoryKid(2));
    assert.equal(pkVersionOfDirectoryKid(old.kid), 1);
    assert.deepEqual(await cipher.open(recordId, old), entry);
    assert.deepEqual(await cipher.open(recordId, current), entry);
    await assert.rejects(cipher.open(otherId, current), DecryptionError);
    await assert.rejects(cipher.open(recordId, { ...current, kid: directoryKid(1) }), DecryptionError);
    const elsewhere = new DirectoryCipher(otherId, new Map([[2, v2]]));
    await assert.rejects(elsewhere.open(recordId, current), DecryptionError);
    const onlyV2 = new DirectoryCipher(practiceId, new Map([[2, v2]]));
    await assert.rejects(onlyV2.open(recordId, old), DecryptionError);
  });
});
