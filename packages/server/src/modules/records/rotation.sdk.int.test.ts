import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountSession, PatientMaster } from '@tresor/sdk';
import { MembersFixture } from '../../testing/members-fixture.js';

const meier: PatientMaster = {
  givenName: 'Anna',
  familyName: 'Meier',
  birthDate: '1980-03-12',
  sex: 'female',
  insurance: { kvnr: 'A123456780', type: 'gkv' },
};
const schmitt: PatientMaster = {
  givenName: 'Emine',
  familyName: 'Schmitt',
  birthDate: '1992-07-30',
  sex: 'female',
  insurance: { kvnr: 'B987654321', type: 'gkv' },
};

/**
 * After a practice-key rotation: records written before it stay findable (lookups ask for every
 * version), and `rewrapAll` moves every data key, blind-index row and directory entry to the new
 * version, once.
 */
describe('records across a practice-key rotation', () => {
  let f: MembersFixture;
  let doctor: AccountSession;
  const ids = new Map<string, string>();

  const stored = () =>
    f.asOwner(async (trx) => ({
      dataKeyVersions: (await trx.selectFrom('patients').select('data_key_pk_version').execute())
        .map((r) => r.data_key_pk_version)
        .sort(),
      indexVersions: [
        ...new Set(
          (await trx.selectFrom('patient_blind_index').select('pk_version').execute()).map(
            (r) => r.pk_version,
          ),
        ),
      ].sort(),
    }));

  before(async () => {
    f = await MembersFixture.start();
    doctor = await f.found('Praxis Dr. Sommer', 'j.sommer');
    await f.onboard(doctor, 'm.lehmann');
    const leaver = await f.onboard(doctor, 't.wolf');
    for (const master of [meier, schmitt]) {
      ids.set(master.familyName, (await doctor.records.createPatient(master)).id);
    }
    const { rotation } = await doctor.removeUser(leaver.userId);
    assert.equal(rotation.pkVersion, 2);
  });
  after(() => f.close());

  it('finds records written under the older version before they are re-wrapped', async () => {
    assert.deepEqual(await stored(), { dataKeyVersions: [1, 1], indexVersions: [1] });
    const nurse = await f.signIn('m.lehmann');
    assert.deepEqual(
      (await nurse.records.findByKvnr('B987654321')).map((p) => p.id),
      [ids.get('Schmitt')],
    );
    const directory = await nurse.records.directory();
    assert.deepEqual(directory.staleIds(2).sort(), [...ids.values()].sort());
  });

  it('re-wraps every data key and rebuilds index rows and directory entries under the new version', async () => {
    const report = await doctor.records.rewrapAll();
    assert.deepEqual(report, { rewrapped: 2, alreadyCurrent: 0, skipped: 0, reindexed: 2 });
    assert.deepEqual(await stored(), { dataKeyVersions: [2, 2], indexVersions: [2] });

    const nurse = await f.signIn('m.lehmann');
    assert.deepEqual(
      (await nurse.records.findByKvnr('A123456780')).map((p) => p.master.familyName),
      ['Meier'],
    );
    assert.deepEqual(
      (await nurse.records.findBySurnameAndBirthDate('Schmitt', '1992-07-30')).map((p) => p.id),
      [ids.get('Schmitt')],
    );
    const directory = await nurse.records.directory();
    assert.deepEqual(directory.staleIds(2), []);
    assert.deepEqual(
      directory.search('Meyer').map((h) => h.familyName),
      ['Meier'],
    );
  });

  it('does nothing the second time', async () => {
    assert.deepEqual(await doctor.records.rewrapAll(), {
      rewrapped: 0,
      alreadyCurrent: 2,
      skipped: 0,
      reindexed: 0,
    });
  });
});
