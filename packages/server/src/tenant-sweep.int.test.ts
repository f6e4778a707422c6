import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccountSession, HttpClient, MemoryDeviceKeyStore, login } from '@tresor/sdk';
import { sql } from 'kysely';
import { dumpRows } from './testing/database-dump.js';
import { SoftAuthenticator } from './testing/soft-authenticator.js';
import { signUpPractice } from './testing/sign-up.js';
import { type TestServer, createTestServer } from './testing/test-server.js';
import { TestClock } from './testing/totp-codes.js';

/** Bodies that pass validation for routes that need one, so the sweep reaches the service. */
const PUBLIC_URL = 'https://tresor.invalid';

const envelope = (kid: string) => ({
  v: 1,
  alg: 'A256GCM',
  kid,
  nonce: 'AAAAAAAAAAAAAAAA',
  ct: 'A'.repeat(40),
});
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/devices/{id}': { name: 'renamed by another practice' },
  'PATCH /api/v1/users/{id}': { role: 'secondary' },
  // Records: ciphertext-shaped bodies (the server never opens them). Lookups get B's real
  // blind-index values in `before`.
  'POST /api/v1/patients': {
    id: '00000000-0000-4000-8000-00000000000a',
    dataKey: envelope('pk.v1'),
    master: envelope('dk'),
    blindIndex: { pkVersion: 1, kvnr: 1, nameDob: 2 },
    directory: envelope('dir.pk.v1'),
  },
  'PUT /api/v1/patients/{id}': {
    expectedVersion: 1,
    master: envelope('dk'),
    blindIndex: { pkVersion: 1, kvnr: null, nameDob: 2 },
    directory: envelope('dir.pk.v1'),
  },
  'PUT /api/v1/patients/{id}/index': {
    blindIndex: { pkVersion: 1, kvnr: null, nameDob: 2 },
    directory: envelope('dir.pk.v1'),
  },
  'PUT /api/v1/patients/{id}/data-key': { previous: envelope('pk.v1'), next: envelope('pk.v1') },
  'POST /api/v1/patients/{id}/entries': { id: '00000000-0000-4000-8000-00000000000b', body: envelope('dk') },
  'POST /api/v1/patients/{id}/erase': { category: 'other', reason: envelope('pk.v1') },
  'POST /api/v1/patients/{id}/documents': {
    id: '00000000-0000-4000-8000-00000000000c',
    meta: envelope('dk'),
    size: 10,
    chunkSize: 1024 * 1024,
  },
};

/** Routes that end the caller's own session(s); swept last would be pointless, so skipped. */
const SELF_ENDING = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/sessions/revoke-others']);

describe('tenant separation: every route, as practice A, against the ids of practice B', () => {
  let server: TestServer;
  let a: AccountSession;
  let b: AccountSession;
  const idsOfB = new Set<string>();

  const signUp = (name: string, clock: TestClock) => signUpPractice(server.url, name, clock);

  /** Every row of practice B in every practice-owned table, as the owner sees it. */
  const snapshotOfB = () =>
    dumpRows(server.database, { practiceId: b.practiceId, omitColumns: ['last_seen_at'] });

  before(async () => {
    const clock = new TestClock();
    server = await createTestServer({ TRESOR_PUBLIC_URL: PUBLIC_URL }, { clock: clock.now });
    a = await signUp('praxis.a', clock);
    b = await signUp('praxis.b', clock);
    // Give B a pending device and a second session, so there are ids of every kind.
    const http = new HttpClient({ baseUrl: server.url });
    await login(http, {
      username: 'praxis.b',
      password: 'praxis.b password',
      devices: new MemoryDeviceKeyStore(),
      deviceName: 'Laptop',
      secondFactor: async () => '000000',
    }).catch(() => undefined);
    const invite = await b.createInvite({ role: 'secondary', linkBase: 'https://tresor.invalid/invite' });
    idsOfB.add(invite.inviteId);
    const passkey = await b.addPasskey('Laptop', async (options) =>
      new SoftAuthenticator(PUBLIC_URL).create(options),
    );
    idsOfB.add(passkey.id);
    const { devices } = await b.devices();
    const { sessions } = await b.sessions();
    for (const id of [b.practiceId, b.userId, ...devices.map((d) => d.id), ...sessions.map((s) => s.id)])
      idsOfB.add(id);
    assert.ok(devices.length >= 2 && sessions.length >= 1);
    // Records of B: a patient (with a KVNR, so both blind indexes), an entry, a document.
    const patient = await b.records.createPatient({
      givenName: 'Berta',
      familyName: 'Brandt',
      birthDate: '1961-05-04',
      sex: 'female',
      insurance: { kvnr: 'C111222333' },
    });
    const entry = await b.records.addEntry(patient.id, { kind: 'note', text: 'Praxis B' });
    const document = await b.records.uploadDocument(patient.id, {
      name: 'b.txt',
      type: 'text/plain',
      size: 3,
      stream: () => new Blob(['B B']).stream(),
    });
    for (const id of [patient.id, entry.id, document.id]) idsOfB.add(id);
    const { ids: ownLookup } = await b.records.findByKvnr('C111222333').then((found) => ({
      ids: found.map((p) => p.id),
    }));
    assert.deepEqual(ownLookup, [patient.id]);
    const index = await server.database.db.transaction().execute(async (trx) => {
      await sql`set local role none`.execute(trx);
      return trx.selectFrom('patient_blind_index').select(['field', 'pk_version', 'value']).execute();
    });
    BODIES['POST /api/v1/patients/lookup'] = {
      field: 'kvnr',
      terms: index
        .filter((r) => r.field === 'kvnr')
        .map((r) => ({ pkVersion: r.pk_version, value: r.value })),
    };
  });
  after(() => server.close());

  it('reads nothing and changes nothing of practice B', async () => {
    const before = await snapshotOfB();
    const doc = (await (await fetch(`${server.url}/api/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    let calls = 0;
    const swept = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/') || path.includes('/diagnostics/')) continue;
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        if (SELF_ENDING.has(`${method} ${path}`)) continue;
        swept.add(`${method} ${path}`);
        const targets = path.includes('{') ? [...idsOfB] : [undefined];
        for (const id of targets) {
          const url = id === undefined ? path : path.replace('{index}', '0').replace(/\{[^}]+\}/g, id);
          const body = BODIES[`${method} ${path}`];
          const res = await fetch(`${server.url}${url}`, {
            method,
            headers: {
              authorization: `Bearer ${a.token}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          calls++;
          const text = await res.text();
          assert.ok(res.status < 500, `${method} ${url} answered ${res.status}: ${text}`);
          for (const idOfB of idsOfB) {
            assert.ok(
              !text.includes(idOfB),
              `${method} ${url} revealed ${idOfB} of practice B: ${text.slice(0, 1500)}`,
            );
          }
        }
      }
    }
    assert.ok(calls > 20, `swept ${calls} calls`);
    for (const route of [
      'POST /api/v1/patients/lookup',
      'POST /api/v1/patients/{id}/erase',
      'PUT /api/v1/documents/{id}/chunks/{index}',
      'GET /api/v1/documents/{id}/chunks/{index}',
      'GET /api/v1/directory',
    ]) {
      assert.ok(swept.has(route), `${route} is in the OpenAPI document and swept`);
    }
    assert.equal(await snapshotOfB(), before, 'practice B was changed');
    const stillSignedIn = await fetch(`${server.url}/api/v1/devices`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    assert.equal(stillSignedIn.status, 200, 'the sweep ran signed in as A throughout');
  });
});
