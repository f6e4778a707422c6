import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Envelope,
  type PracticeKey,
  DecryptionError,
  generateDataKey,
  generatePracticeKey,
  unwrapKey,
  wrapKey,
} from '@tresor/crypto';
import {
  DATA_KEY_PURPOSE,
  type DataKeySource,
  pkVersionOfKid,
  practiceKeyKid,
  rewrapDataKey,
  rewrapDataKeys,
} from './rewrap-data-keys.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const context = (owner: string) => ({ practiceId, owner, purpose: DATA_KEY_PURPOSE });

describe('rewrapDataKeys', () => {
  const v1 = generatePracticeKey();
  const v2 = generatePracticeKey();
  const keys = {
    practiceKeys: new Map<number, PracticeKey>([
      [1, v1],
      [2, v2],
    ]),
    currentPkVersion: 2,
  };

  it('names practice-key wraps pk.v<version>', () => {
    assert.equal(practiceKeyKid(7), 'pk.v7');
    assert.equal(pkVersionOfKid('pk.v7'), 7);
    for (const kid of ['pk.v0', 'pk.v', 'pk.v01', 'uk', 'pk.v1x'])
      assert.equal(pkVersionOfKid(kid), undefined);
  });

  it('moves old wraps to the current version, leaves current ones, and skips records changed meanwhile', async () => {
    const dataKeys = new Map([1, 2, 3, 4].map((n) => [`record-${n}`, generateDataKey()]));
    const stored = new Map<string, Envelope>();
    for (const [owner, dataKey] of dataKeys) {
      const version = owner === 'record-2' ? 2 : 1;
      stored.set(
        owner,
        await wrapKey(keys.practiceKeys.get(version)!, practiceKeyKid(version), dataKey, context(owner)),
      );
    }
    const source: DataKeySource = {
      async *list() {
        for (const [owner, wrapped] of stored) yield { owner, wrapped };
      },
      async replace(owner, previous, next) {
        // record-4 was written by someone else in the meantime.
        if (owner === 'record-4' || stored.get(owner) !== previous) return false;
        stored.set(owner, next);
        return true;
      },
    };
    assert.deepEqual(await rewrapDataKeys(source, keys, practiceId), {
      rewrapped: 2,
      alreadyCurrent: 1,
      skipped: 1,
    });
    for (const owner of ['record-1', 'record-2', 'record-3']) {
      const wrapped = stored.get(owner)!;
      assert.equal(wrapped.kid, 'pk.v2');
      assert.deepEqual(await unwrapKey(v2, wrapped, context(owner)), dataKeys.get(owner));
    }
    assert.equal(stored.get('record-4')?.kid, 'pk.v1');
    assert.equal(
      await rewrapDataKey(keys, practiceId, { owner: 'record-1', wrapped: stored.get('record-1')! }),
      undefined,
    );
  });

  it('never moves a wrap to an older version, even if told the older one is current', async () => {
    // A server colluding with a removed user (who holds v1) reports v1 as current after the
    // rotation to v2 (the reviewer's proof, downgrade.mts).
    const told = { practiceKeys: keys.practiceKeys, currentPkVersion: 1 };
    const dataKey = generateDataKey();
    let stored = await wrapKey(v2, practiceKeyKid(2), dataKey, context('record-1'));
    const replaced: Envelope[] = [];
    const source: DataKeySource = {
      async *list() {
        yield { owner: 'record-1', wrapped: stored };
      },
      async replace(_owner, _previous, next) {
        replaced.push(next);
        stored = next;
        return true;
      },
    };
    assert.deepEqual(await rewrapDataKeys(source, told, practiceId), {
      rewrapped: 0,
      alreadyCurrent: 1,
      skipped: 0,
    });
    assert.deepEqual(replaced, []);
    assert.equal(stored.kid, 'pk.v2');
    await assert.rejects(unwrapKey(v1, stored, context('record-1')), DecryptionError);
    assert.deepEqual(await unwrapKey(v2, stored, context('record-1')), dataKey);
  });

  it('refuses a wrap moved to another record, and versions this device does not hold', async () => {
    const wrapped = await wrapKey(v1, 'pk.v1', generateDataKey(), context('record-a'));
    await assert.rejects(rewrapDataKey(keys, practiceId, { owner: 'record-b', wrapped }), DecryptionError);
    const lacking = { practiceKeys: new Map([[2, v2]]), currentPkVersion: 2 };
    await assert.rejects(
      rewrapDataKey(lacking, practiceId, { owner: 'record-a', wrapped }),
      /version 1 is not unlocked/,
    );
  });
});
