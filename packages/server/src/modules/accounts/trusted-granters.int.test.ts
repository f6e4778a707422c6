import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccountSession, KeyVersionLockedError, MemoryDeviceKeyStore, login } from '@tresor/sdk';
import { MembersFixture, rejectsWith } from '../../testing/members-fixture.js';

describe('trusted granters: a key rotated by another primary, confirmed once for every device', () => {
  let f: MembersFixture;
  let founder: AccountSession;
  let second: AccountSession;
  let staff: AccountSession;

  before(async () => {
    f = await MembersFixture.start();
    founder = await f.found('Praxis am Markt', 'm.founder');
    second = await f.onboard(founder, 'm.second', 'primary');
    staff = await f.onboard(founder, 'm.staff');
  });
  after(() => f.close());

  it('keeps a grant from an unconfirmed primary closed, and opens it once the user trusts them', async () => {
    const secondInvite = f.person('m.second').accepted!;
    const pins = new Map([[staff.userId, f.person('m.staff').accepted!.fingerprint]]);
    pins.set(founder.userId, await founderFingerprint());
    const rotation = await second.rotatePracticeKey({ trustedMembers: pins });
    assert.equal(rotation.pkVersion, 2);

    const before = await f.signIn('m.staff');
    assert.deepEqual(before.untrustedGrants, [{ granterUserId: second.userId, pkVersions: [2] }]);
    assert.equal(before.keys.practiceKeys.has(2), false);
    assert.equal(before.keys.practiceKeys.has(1), true, 'the founder’s grant (pinned) still opens');
    await assert.rejects(
      before.records.createPatient({
        givenName: 'Greta',
        familyName: 'Hahn',
        birthDate: '1961-07-14',
        sex: 'female',
      }),
      (error: unknown) =>
        error instanceof KeyVersionLockedError && error.version === 2 && error.reason === 'untrusted_granter',
      'writes wait for the confirmation, and the error says so',
    );

    // What the staff member's screen shows and compares with the colleague's own screen.
    const shown = await before.granterFingerprint(second.userId);
    assert.equal(shown.fingerprint, secondInvite.fingerprint);
    await before.trustGranter(second.userId, shown.signingPublicKey);
    assert.deepEqual(before.untrustedGrants, []);
    assert.deepEqual(before.keys.practiceKeys.get(2), second.keys.practiceKeys.get(2));

    // Another device of the same user, with no pins of its own, knows the list too.
    const laptop = new MemoryDeviceKeyStore();
    const person = f.person('m.staff');
    await assert.rejects(
      login(f.http, {
        username: 'm.staff',
        password: person.password,
        devices: laptop,
        deviceName: 'Laptop',
        secondFactor: async () => '000000',
      }),
      rejectsWith('auth.device_pending'),
    );
    const pending = (await before.devices()).devices.find((d) => d.status === 'pending');
    assert.ok(pending);
    await before.approveDevice(pending.id);
    const onLaptop = await f.signIn('m.staff', { trustedGranters: new Map(), devices: laptop });
    assert.deepEqual(onLaptop.untrustedGrants, []);
    assert.deepEqual(onLaptop.keys.practiceKeys.get(2), second.keys.practiceKeys.get(2));
  });

  it('refuses a trusted-granter list the server swapped in from another user', async () => {
    const victim = f.person('m.staff');
    const secondsRow = await f.asOwner((trx) =>
      trx.selectFrom('users').select('trusted_granters').where('id', '=', second.userId).executeTakeFirst(),
    );
    await f.asOwner((trx) =>
      trx
        .updateTable('users')
        .set({ trusted_granters: JSON.stringify(secondsRow?.trusted_granters ?? null) })
        .where('id', '=', staff.userId)
        .execute(),
    );
    await assert.rejects(f.signIn(victim.username, { trustedGranters: new Map() }));
  });

  async function founderFingerprint(): Promise<string> {
    return (await staff.granterFingerprint(founder.userId)).fingerprint;
  }
});
