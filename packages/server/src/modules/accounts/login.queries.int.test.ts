import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpClient, MemoryDeviceKeyStore, createPractice } from '@tresor/sdk';
import { sql } from 'kysely';
import { withPractice } from '../../platform/db/tenant.js';
import { type TestServer, createTestServer } from '../../testing/test-server.js';
import { selectLoginCandidate, selectLoginContext } from './login.queries.pg.js';

const UNKNOWN_DEVICE = '00000000-0000-4000-8000-000000000000';

describe('login reads (login_candidate, login_context) and tenant binding', () => {
  let server: TestServer;
  const practices: { practiceId: string; userId: string; deviceId: string }[] = [];

  before(async () => {
    server = await createTestServer();
    const http = new HttpClient({ baseUrl: server.url });
    for (const username of ['a.weber', 'b.schulz']) {
      const devices = new MemoryDeviceKeyStore();
      const created = await createPractice(http, {
        practiceName: `Praxis ${username}`,
        username,
        password: 'a password for the login reads test',
        deviceName: 'Empfang',
        devices,
      });
      practices.push({ practiceId: created.practiceId, userId: created.userId, deviceId: created.deviceId });
    }
  });
  after(() => server.close());

  const binding = (scope: Parameters<Parameters<typeof withPractice>[2]>[0]) =>
    sql<{ bound: string }>`select current_setting('tresor.practice_id', true) as bound`
      .execute(scope)
      .then((result) => result.rows[0]?.bound);

  it('finds the user behind a login name, and nothing for an unknown name', async () => {
    const [a] = practices;
    const candidate = await selectLoginCandidate(server.database.db, 'a.weber');
    assert.equal(candidate?.id, a?.userId);
    assert.equal(candidate?.practiceId, a?.practiceId);
    assert.equal(candidate?.status, 'active');
    assert.ok(candidate.opaqueRecord.length > 0);
    assert.equal(await selectLoginCandidate(server.database.db, 'nobody'), undefined);
  });

  it('reads user, practice, device and grants, and only within the named practice', async () => {
    const [a, b] = practices;
    if (a === undefined || b === undefined) assert.fail('fixtures missing');
    const context = await selectLoginContext(server.database.db, a.practiceId, a.userId, a.deviceId);
    assert.equal(context?.user.username, 'a.weber');
    assert.equal(context.practice.requireTwoFactor, true);
    assert.equal(context.device?.status, 'approved');
    assert.equal(context.grantBodies.length, 1);
    // A's user asked for under B's practice: row-level security hides it.
    assert.equal(await selectLoginContext(server.database.db, b.practiceId, a.userId, a.deviceId), undefined);
    const unknownDevice = await selectLoginContext(
      server.database.db,
      a.practiceId,
      a.userId,
      UNKNOWN_DEVICE,
    );
    assert.equal(unknownDevice?.device, undefined);
  });

  it('restores the practice a surrounding transaction was bound to', async () => {
    const [a, b] = practices;
    if (a === undefined || b === undefined) assert.fail('fixtures missing');
    await withPractice(server.database.db, a.practiceId, async (scope) => {
      const other = await selectLoginContext(scope, b.practiceId, b.userId, b.deviceId);
      assert.equal(other?.user.username, 'b.schulz');
      assert.equal(await binding(scope), a.practiceId);
      await selectLoginCandidate(scope, 'b.schulz');
      assert.equal(await binding(scope), a.practiceId);
      const visible = await scope.selectFrom('users').select('username').execute();
      assert.deepEqual(
        visible.map((row) => row.username),
        ['a.weber'],
      );
    });
  });
});
