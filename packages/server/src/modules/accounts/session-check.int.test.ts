import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HttpClient, MemoryDeviceKeyStore, createPractice } from '@tresor/sdk';
import { sql } from 'kysely';
import { withPractice } from '../../platform/db/tenant.js';
import { type TestServer, createTestServer } from '../../testing/test-server.js';
import { selectSessionCheck } from './login.queries.pg.js';

const MINUTE = 60 * 1000;
const AT = new Date('2026-12-04T12:00:00Z');
const RULES = { at: AT, idleMs: 30 * MINUTE, touchAfterMs: MINUTE };

describe('session check (session_check): one read decides whether a token signs a request in', () => {
  let server: TestServer;
  const fixtures: { practiceId: string; userId: string; deviceId: string }[] = [];

  before(async () => {
    server = await createTestServer();
    const http = new HttpClient({ baseUrl: server.url });
    for (const username of ['c.wagner', 'd.becker']) {
      const created = await createPractice(http, {
        practiceName: `Praxis ${username}`,
        username,
        password: 'a password for the session check test',
        deviceName: 'Empfang',
        devices: new MemoryDeviceKeyStore(),
      });
      fixtures.push({ practiceId: created.practiceId, userId: created.userId, deviceId: created.deviceId });
    }
  });
  after(() => server.close());

  const fixture = (index: number) => fixtures[index] ?? assert.fail('fixture missing');

  /** A session of practice `index` as the login writes it, with its token hash in the lookup. */
  async function storeSession(
    index: number,
    fields: { lastSeenAt?: Date; expiresAt?: Date; revokedAt?: Date | null } = {},
  ): Promise<{ id: string; hash: string }> {
    const { practiceId, userId, deviceId } = fixture(index);
    const id = randomUUID();
    const hash = `test-${id}`;
    await withPractice(server.database.db, practiceId, async (scope) => {
      await scope
        .insertInto('sessions')
        .values({
          id,
          practice_id: practiceId,
          user_id: userId,
          device_id: deviceId,
          last_seen_at: fields.lastSeenAt ?? new Date(AT.getTime() - 10 * MINUTE),
          expires_at: fields.expiresAt ?? new Date(AT.getTime() + 60 * MINUTE),
          revoked_at: fields.revokedAt ?? null,
        })
        .execute();
    });
    await server.database.db
      .insertInto('tenant_lookup')
      .values({ kind: 'session', key: hash, practice_id: practiceId, target_id: id })
      .execute();
    return { id, hash };
  }

  const lastSeen = (index: number, id: string) =>
    withPractice(server.database.db, fixture(index).practiceId, (scope) =>
      scope.selectFrom('sessions').select('last_seen_at').where('id', '=', id).executeTakeFirstOrThrow(),
    ).then((row) => new Date(row.last_seen_at).getTime());

  it('returns practice, session, user, device and role for a live session', async () => {
    const session = await storeSession(0);
    const { practiceId, userId, deviceId } = fixture(0);
    assert.deepEqual(await selectSessionCheck(server.database.db, session.hash, RULES), {
      practiceId,
      sessionId: session.id,
      userId,
      deviceId,
      role: 'primary',
    });
  });

  it('refuses unknown tokens and idle, expired and revoked sessions', async () => {
    assert.equal(await selectSessionCheck(server.database.db, 'unknown-token-hash', RULES), undefined);
    const idle = await storeSession(0, { lastSeenAt: new Date(AT.getTime() - 31 * MINUTE) });
    const expired = await storeSession(0, { expiresAt: AT });
    const revoked = await storeSession(0, { revokedAt: new Date(AT.getTime() - MINUTE) });
    for (const session of [idle, expired, revoked]) {
      assert.equal(await selectSessionCheck(server.database.db, session.hash, RULES), undefined);
    }
    const justInTime = await storeSession(0, { lastSeenAt: new Date(AT.getTime() - 30 * MINUTE) });
    assert.equal(
      (await selectSessionCheck(server.database.db, justInTime.hash, RULES))?.sessionId,
      justInTime.id,
    );
  });

  it('refuses a session whose device is no longer approved or whose user was removed', async () => {
    const { practiceId, userId, deviceId } = fixture(1);
    const session = await storeSession(1);
    const setStatus = (table: 'devices' | 'users', id: string, status: string) =>
      withPractice(server.database.db, practiceId, (scope) =>
        sql`update ${sql.table(table)} set status = ${status} where id = ${id}::uuid`.execute(scope),
      );
    await setStatus('devices', deviceId, 'revoked');
    assert.equal(await selectSessionCheck(server.database.db, session.hash, RULES), undefined);
    await setStatus('devices', deviceId, 'approved');
    await setStatus('users', userId, 'removed');
    assert.equal(await selectSessionCheck(server.database.db, session.hash, RULES), undefined);
    await setStatus('users', userId, 'active');
    assert.equal((await selectSessionCheck(server.database.db, session.hash, RULES))?.sessionId, session.id);
  });

  it('moves last-seen forward only when it is older than the touch interval', async () => {
    const fresh = await storeSession(0, { lastSeenAt: new Date(AT.getTime() - 30 * 1000) });
    await selectSessionCheck(server.database.db, fresh.hash, RULES);
    assert.equal(await lastSeen(0, fresh.id), AT.getTime() - 30 * 1000);
    const stale = await storeSession(0, { lastSeenAt: new Date(AT.getTime() - 5 * MINUTE) });
    await selectSessionCheck(server.database.db, stale.hash, RULES);
    assert.equal(await lastSeen(0, stale.id), AT.getTime());
  });

  it("keeps a surrounding transaction's practice binding and never crosses practices", async () => {
    const other = await storeSession(1);
    await withPractice(server.database.db, fixture(0).practiceId, async (scope) => {
      assert.equal((await selectSessionCheck(scope, other.hash, RULES))?.practiceId, fixture(1).practiceId);
      const bound = await sql<{
        bound: string;
      }>`select current_setting('tresor.practice_id', true) as bound`.execute(scope);
      assert.equal(bound.rows[0]?.bound, fixture(0).practiceId);
    });
    // A lookup row pointing a token at another practice's session finds nothing.
    const misfiled = `misfiled-${other.id}`;
    await server.database.db
      .insertInto('tenant_lookup')
      .values({ kind: 'session', key: misfiled, practice_id: fixture(0).practiceId, target_id: other.id })
      .execute();
    assert.equal(await selectSessionCheck(server.database.db, misfiled, RULES), undefined);
  });
});
