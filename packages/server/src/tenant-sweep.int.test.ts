import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AccountSession, HttpClient, MemoryDeviceKeyStore, createPractice, login } from '@tresor/sdk';
import { dumpRows } from './testing/database-dump.js';
import { type TestServer, createTestServer } from './testing/test-server.js';
import { TestClock, totpCode } from './testing/totp-codes.js';

/** Bodies that pass validation for routes that need one, so the sweep reaches the service. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/devices/{id}': { name: 'renamed by another practice' },
  'PATCH /api/v1/users/{id}': { role: 'secondary' },
};

/** Routes that end the caller's own session(s); swept last would be pointless, so skipped. */
const SELF_ENDING = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/sessions/revoke-others']);

describe('tenant separation: every route, as practice A, against the ids of practice B', () => {
  let server: TestServer;
  let a: AccountSession;
  let b: AccountSession;
  const idsOfB = new Set<string>();

  const signUp = async (name: string, clock: TestClock) => {
    const http = new HttpClient({ baseUrl: server.url });
    const devices = new MemoryDeviceKeyStore();
    await createPractice(http, {
      practiceName: name,
      username: name,
      password: `${name} password`,
      deviceName: 'PC',
      devices,
    });
    let secret = '';
    const session = await login(http, {
      username: name,
      password: `${name} password`,
      devices,
      deviceName: 'PC',
      secondFactor: async (prompt) => {
        if (prompt.kind === 'totp_enrolment') secret = prompt.secret;
        return totpCode(secret, clock.now());
      },
    });
    return session;
  };

  /** Every row of practice B in every practice-owned table, as the owner sees it. */
  const snapshotOfB = () =>
    dumpRows(server.database, { practiceId: b.practiceId, omitColumns: ['last_seen_at'] });

  before(async () => {
    const clock = new TestClock();
    server = await createTestServer({}, { clock: clock.now });
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
    const { devices } = await b.devices();
    const { sessions } = await b.sessions();
    for (const id of [b.practiceId, b.userId, ...devices.map((d) => d.id), ...sessions.map((s) => s.id)])
      idsOfB.add(id);
    assert.ok(devices.length >= 2 && sessions.length >= 1);
  });
  after(() => server.close());

  it('reads nothing and changes nothing of practice B', async () => {
    const before = await snapshotOfB();
    const doc = (await (await fetch(`${server.url}/api/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    let calls = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/') || path.includes('/diagnostics/')) continue;
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        if (SELF_ENDING.has(`${method} ${path}`)) continue;
        const targets = path.includes('{') ? [...idsOfB] : [undefined];
        for (const id of targets) {
          const url = id === undefined ? path : path.replace(/\{[^}]+\}/g, id);
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
    assert.equal(await snapshotOfB(), before, 'practice B was changed');
    const stillSignedIn = await fetch(`${server.url}/api/v1/devices`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    assert.equal(stillSignedIn.status, 200, 'the sweep ran signed in as A throughout');
  });
});
