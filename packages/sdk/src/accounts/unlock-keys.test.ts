import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DecryptionError,
  type Envelope,
  type PracticeKey,
  createPracticeKeyGrant,
  directoryKid,
  encodePrivateKeys,
  generateDataKey,
  generatePracticeKey,
  generateUserKey,
  generateUserKeyPairs,
  sealEnvelope,
  unwrapDataKey,
  wrapDataKey,
} from '@tresor/crypto';
import type { accounts } from '../contract/index.js';
import { HttpClient } from '../http.js';
import { RecordsClient } from '../records/records-client.js';
import { type DataKeySource, rewrapDataKeys } from './rewrap-data-keys.js';
import { openKeyMaterial } from './unlock-keys.js';
import { ENVELOPE_PURPOSE } from './user-key-material.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const userId = '0b4e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const userKey = generateUserKey();
const pairs = generateUserKeyPairs();
/** v1 is the key a removed user still holds; v2 came with the rotation after their removal. */
const v1 = generatePracticeKey();
const v2 = generatePracticeKey();

/** What `GET /api/v1/me/keys` answers: grants (signed by the user) for `versions`, and the server's version. */
async function material(
  currentPkVersion: number,
  versions: ReadonlyMap<number, PracticeKey>,
): Promise<accounts.KeyMaterial> {
  const privateKeys = await sealEnvelope(userKey, 'uk', encodePrivateKeys(pairs), {
    practiceId,
    owner: userId,
    purpose: ENVELOPE_PURPOSE.privateKeys,
  });
  const grants = await Promise.all(
    [...versions].map(([pkVersion, practiceKey]) =>
      createPracticeKeyGrant({
        practiceId,
        pkVersion,
        practiceKey,
        recipientUserId: userId,
        recipientEncryptionKey: pairs.encryption.publicKey,
        granterUserId: userId,
        granterSigningKey: pairs.signing.privateKey,
      }),
    ),
  );
  // The password wrap is not opened by openKeyMaterial; any envelope has the right shape.
  return { userKeyByPassword: privateKeys, privateKeys, currentPkVersion, grants };
}

const both = new Map([
  [1, v1],
  [2, v2],
]);
const open = async (keys: accounts.KeyMaterial, held?: Parameters<typeof openKeyMaterial>[0]['held']) =>
  openKeyMaterial({ practiceId, userId, userKey, keys, ...(held === undefined ? {} : { held }) });

describe('openKeyMaterial: the current practice-key version', () => {
  it('is the highest verified version when the server reports an older one (a downgrade)', async () => {
    const keys = await open(await material(1, both));
    assert.equal(keys.currentPkVersion, 2);
    assert.deepEqual(keys.practiceKeys.get(2), v2);
  });

  it("keeps the server's version when it is newer than any key held (writes fail, never fall back)", async () => {
    const keys = await open(await material(3, both));
    assert.equal(keys.currentPkVersion, 3);
    assert.equal(keys.practiceKeys.has(3), false);
  });

  it('does not go back on a refresh where the server withholds the newer grant', async () => {
    const before = await open(await material(2, both));
    const after = await open(await material(1, new Map([[1, v1]])), before);
    assert.equal(after.currentPkVersion, 2);
    assert.deepEqual(after.practiceKeys.get(2), v2);
  });
});

describe('a server reporting an older version after a rotation', () => {
  const patientId = '1c5f8a3b-2d4e-4f6a-9b0c-1d2e3f4a5b6c';
  const record = { practiceId, recordId: patientId };

  it('gets no data key re-wrapped under the old version (rewrapDataKeys)', async () => {
    const keys = await open(await material(1, both));
    const dataKey = generateDataKey();
    const older = await wrapDataKey(v1, 1, dataKey, { practiceId, recordId: 'r-old' });
    const stored = new Map<string, Envelope>([
      ['r-old', older],
      [patientId, await wrapDataKey(v2, 2, dataKey, record)],
    ]);
    const source: DataKeySource = {
      async *list() {
        for (const [owner, wrapped] of stored) yield { owner, wrapped };
      },
      async replace(owner, previous, next) {
        if (stored.get(owner) !== previous) return false;
        stored.set(owner, next);
        return true;
      },
    };
    assert.deepEqual(await rewrapDataKeys(source, keys, practiceId), {
      rewrapped: 1,
      alreadyCurrent: 1,
      skipped: 0,
    });
    assert.deepEqual(
      [...stored.values()].map((e) => e.kid),
      ['pk.v2', 'pk.v2'],
    );
    await assert.rejects(unwrapDataKey(v1, stored.get(patientId)!, record), DecryptionError);
    assert.deepEqual(await unwrapDataKey(v2, stored.get(patientId)!, record), dataKey);
  });

  it('gets new patients and erasure reasons sealed under the newest version, not the old one', async () => {
    const keys = await open(await material(1, both));
    const sent = new Map<string, Record<string, unknown>>();
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : input);
      const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Record<string, unknown>;
      sent.set(url.pathname, body);
      if (url.pathname.endsWith('/erase')) return Response.json({ erased: true });
      const now = '2025-01-02T03:04:05.000Z';
      return Response.json({
        id: body.id,
        version: 1,
        dataKey: body.dataKey,
        master: body.master,
        createdAt: now,
        createdBy: userId,
        updatedAt: now,
        updatedBy: userId,
        lastTreatment: null,
        retentionUntil: null,
      });
    };
    const records = new RecordsClient({
      http: new HttpClient({ baseUrl: 'http://tresor.test', fetch }),
      practiceId,
      token: () => 'session-token',
      keys: () => keys,
    });
    const patient = await records.createPatient({
      givenName: 'Anna',
      familyName: 'Roth',
      birthDate: '1970-02-03',
      sex: 'female',
    });
    const created = sent.get('/api/v1/patients') as {
      dataKey: Envelope;
      blindIndex: { pkVersion: number };
      directory: Envelope;
    };
    assert.equal(created.dataKey.kid, 'pk.v2');
    assert.equal(created.blindIndex.pkVersion, 2);
    assert.equal(created.directory.kid, directoryKid(2));
    const wrapped = { practiceId, recordId: patient.id };
    await assert.rejects(unwrapDataKey(v1, created.dataKey, wrapped), DecryptionError);

    await records.erasePatient(patient.id, { reason: 'Widerspruch der Patientin' });
    const erased = sent.get(`/api/v1/patients/${patient.id}/erase`) as { reason: Envelope };
    assert.equal(erased.reason.kid, 'pk.v2');
  });
});
