import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccountSession, KeyVersionLockedError, MemoryKeyVersionMemory } from '@tresor/sdk';
import { MembersFixture } from '../../testing/members-fixture.js';

/**
 * A device remembers the highest practice-key version it opened (`KeyVersionMemory`): after a
 * removal and rotation, a server that withholds the newer grant at a later login (colluding with
 * the removed user, who holds the older key) cannot make that device write under the older key.
 */
describe('practice-key versions remembered on a device', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  /** The secondary user's device memory. */
  const memory = new MemoryKeyVersionMemory();
  const pins = new Map<string, string>();
  let secondaryId = '';

  const patients = () =>
    f.asOwner(async (trx) => (await trx.selectFrom('patients').select('id').execute()).length);
  const newPatient = (session: AccountSession) =>
    session.records.createPatient({
      givenName: 'Greta',
      familyName: 'Hahn',
      birthDate: '1961-07-14',
      sex: 'female',
    });

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Dr. Sommer', 'm.sommer');
    const secondary = await f.onboard(primary, 'j.kraus');
    secondaryId = secondary.userId;
    await f.onboard(primary, 'k.vogt');
    for (const name of ['j.kraus', 'k.vogt']) {
      const accepted = f.person(name).accepted!;
      pins.set(accepted.userId, accepted.fingerprint);
    }
  });
  after(() => f.close());

  it('remembers only versions it opened, and raises the memory as rotations arrive', async () => {
    const first = await f.signIn('j.kraus', { keyVersions: memory });
    assert.equal(await memory.load(first), 1);

    const leaver = f.person('k.vogt').accepted!.userId;
    const { rotation } = await primary.removeUser(leaver, { trustedMembers: pins });
    assert.equal(rotation.pkVersion, 2);
    await first.refreshKeys();
    assert.equal(await memory.load(first), 2, 'a refresh that opens version 2 remembers it');

    // A server that names a version nobody holds does not raise the memory of a new device.
    const fresh = new MemoryKeyVersionMemory();
    await f.asOwner((trx) => trx.updateTable('practices').set({ current_pk_version: 9 }).execute());
    try {
      const inflated = await f.signIn('j.kraus', { keyVersions: fresh });
      assert.equal(inflated.keys.currentPkVersion, 9, 'the session does not write under an older one');
      assert.equal(await fresh.load(inflated), 2, 'but only the verified version is remembered');
    } finally {
      await f.asOwner((trx) => trx.updateTable('practices').set({ current_pk_version: 2 }).execute());
    }
  });

  it('refuses to write under the older key when the server withholds the newer grant at a later login', async () => {
    // The server rolls the user's key material back: version 2's grant gone, version 1 current.
    await f.asOwner(async (trx) => {
      await trx
        .deleteFrom('practice_key_grants')
        .where('pk_version', '=', 2)
        .where('recipient_user_id', '=', secondaryId)
        .execute();
      await trx.updateTable('practices').set({ current_pk_version: 1 }).execute();
    });
    const before = await patients();

    const remembering = await f.signIn('j.kraus', { keyVersions: memory });
    assert.equal(remembering.keys.currentPkVersion, 2);
    assert.deepEqual([...remembering.keys.practiceKeys.keys()], [1]);
    await assert.rejects(
      newPatient(remembering),
      (error: unknown) =>
        error instanceof KeyVersionLockedError && error.version === 2 && error.reason === 'not_granted',
    );
    assert.equal(await patients(), before, 'nothing was stored');
    assert.equal(await memory.load(remembering), 2, 'the memory is not lowered');

    // The limit that stays (docs/SECURITY.md): a device without that memory cannot tell.
    const forgetful = await f.signIn('j.kraus', { keyVersions: new MemoryKeyVersionMemory() });
    assert.equal(forgetful.keys.currentPkVersion, 1);
    await newPatient(forgetful);
    assert.equal(await patients(), before + 1);
  });
});
