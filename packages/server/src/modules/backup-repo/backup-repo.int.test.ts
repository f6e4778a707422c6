import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AccountSession } from '@tresor/sdk';
import { sql } from 'kysely';
import { MembersFixture } from '../../testing/members-fixture.js';

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: unknown;
  readonly bytes: Buffer;
}

describe('cloud backup repository: append-only for agents, deletion only after the lock', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let secondary: AccountSession;
  let agentToken = '';
  let retentionToken = '';

  const call = async (
    method: string,
    path: string,
    token: string,
    body?: Buffer | object,
  ): Promise<Answer> => {
    const binary = Buffer.isBuffer(body);
    const response = await fetch(`${f.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined
          ? {}
          : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: binary ? new Uint8Array(body) : JSON.stringify(body) }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const json = response.headers.get('content-type')?.includes('json')
      ? (JSON.parse(bytes.toString()) as unknown)
      : undefined;
    const code = (json as { error?: { code?: string } } | undefined)?.error?.code;
    return { status: response.status, code, body: json, bytes };
  };
  const credential = async (kind: 'agent' | 'retention') => {
    const answer = await call('POST', '/api/v1/backup/credentials', primary.token, {
      name: `Praxis-PC ${kind}`,
      kind,
    });
    assert.equal(answer.status, 201);
    return answer.body as { token: string; credential: { id: string } };
  };

  before(async () => {
    f = await MembersFixture.start({ TRESOR_BACKUP_QUOTA_GB: '1' });
    primary = await f.found('Praxis Sicherung', 'b.primary');
    secondary = await f.onboard(primary, 'b.secondary');
    agentToken = (await credential('agent')).token;
    retentionToken = (await credential('retention')).token;
  });
  after(() => f.close());

  it('lets only primary users manage credentials', async () => {
    const answer = await call('POST', '/api/v1/backup/credentials', secondary.token, {
      name: 'x',
      kind: 'agent',
    });
    assert.deepEqual([answer.status, answer.code], [403, 'auth.forbidden']);
    const listed = await call('GET', '/api/v1/backup/credentials', primary.token);
    assert.equal((listed.body as { credentials: unknown[] }).credentials.length, 2);
    const asSession = await call('GET', '/api/v1/backup/objects', primary.token);
    assert.deepEqual([asSession.status, asSession.code], [401, 'auth.unauthenticated']);
  });

  it('stores, lists and returns objects byte-identical; the same bytes again are accepted', async () => {
    const pack = randomBytes(3 * 1024 * 1024 + 17);
    const sha256 = createHash('sha256').update(pack).digest('hex');
    const stored = await call('PUT', `/api/v1/backup/objects/data/${sha256}`, agentToken, pack);
    assert.equal(stored.status, 200);
    assert.equal((stored.body as { sha256: string }).sha256, sha256);
    const again = await call('PUT', `/api/v1/backup/objects/data/${sha256}`, agentToken, pack);
    assert.equal(again.status, 200);
    const read = await call('GET', `/api/v1/backup/objects/data/${sha256}`, agentToken);
    assert.equal(read.status, 200);
    assert.ok(read.bytes.equals(pack));
    const listed = await call('GET', '/api/v1/backup/objects?kind=data', agentToken);
    assert.deepEqual(
      (listed.body as { objects: { name: string; size: number }[] }).objects.map((o) => [o.name, o.size]),
      [[sha256, pack.length]],
    );
  });

  it('returns one byte range of an object (206), refuses one beyond it (416), and ignores other forms', async () => {
    const pack = randomBytes(100_000);
    const name = createHash('sha256').update(pack).digest('hex');
    assert.equal((await call('PUT', `/api/v1/backup/objects/data/${name}`, agentToken, pack)).status, 200);
    const ranged = async (range: string) =>
      fetch(`${f.server.url}/api/v1/backup/objects/data/${name}`, {
        headers: { authorization: `Bearer ${agentToken}`, range },
      });
    const middle = await ranged('bytes=1000-1999');
    assert.equal(middle.status, 206);
    assert.equal(middle.headers.get('content-range'), 'bytes 1000-1999/100000');
    assert.ok(Buffer.from(await middle.arrayBuffer()).equals(pack.subarray(1000, 2000)));
    const tail = await ranged('bytes=99990-');
    assert.equal(tail.status, 206);
    assert.ok(Buffer.from(await tail.arrayBuffer()).equals(pack.subarray(99_990)));
    const clipped = await ranged('bytes=99000-200000');
    assert.equal(clipped.headers.get('content-range'), 'bytes 99000-99999/100000');
    assert.equal((await clipped.arrayBuffer()).byteLength, 1000);
    const beyond = await ranged('bytes=100000-100010');
    assert.equal(beyond.status, 416);
    assert.equal(
      ((await beyond.json()) as { error: { code: string } }).error.code,
      'request.range_not_satisfiable',
    );
    for (const ignored of ['bytes=-10', 'bytes=5-1', 'bytes=0-1,5-9', 'items=0-5', 'nonsense']) {
      const whole = await ranged(ignored);
      assert.equal(whole.status, 200, ignored);
      assert.equal((await whole.arrayBuffer()).byteLength, pack.length);
    }
  });

  it('a stolen agent token can neither delete nor overwrite anything', async () => {
    const snapshot = randomBytes(900);
    assert.equal(
      (await call('PUT', '/api/v1/backup/objects/snapshots/s1', agentToken, snapshot)).status,
      200,
    );
    const overwrite = await call('PUT', '/api/v1/backup/objects/snapshots/s1', agentToken, randomBytes(900));
    assert.deepEqual([overwrite.status, overwrite.code], [409, 'backup.object_exists']);
    const removal = await call('DELETE', '/api/v1/backup/objects/snapshots/s1', agentToken);
    assert.deepEqual([removal.status, removal.code], [403, 'backup.retention_only']);
    const read = await call('GET', '/api/v1/backup/objects/snapshots/s1', agentToken);
    assert.ok(read.bytes.equals(snapshot), 'the stored snapshot is unchanged');
  });

  it('refuses deletion within the lock period, even with the retention credential or as the database owner', async () => {
    const lock = await call('POST', '/api/v1/backup/retention-lock', retentionToken);
    assert.equal(lock.status, 201);
    const { id } = lock.body as { id: string };
    const locked = await call('DELETE', `/api/v1/backup/objects/snapshots/s1?lock=${id}`, retentionToken);
    assert.deepEqual([locked.status, locked.code], [423, 'backup.object_locked']);
    assert.equal((await call('DELETE', `/api/v1/backup/retention-lock/${id}`, retentionToken)).status, 200);
    await assert.rejects(
      f.asOwner((trx) => sql`delete from backup_objects where name = 's1'`.execute(trx)),
      /locked until/,
    );
    assert.equal((await call('GET', '/api/v1/backup/objects/snapshots/s1', agentToken)).status, 200);
  });

  it('a retention run holds the repository: nobody else stores meanwhile, and deleting needs its lock', async () => {
    const byAgent = await call('POST', '/api/v1/backup/retention-lock', agentToken);
    assert.deepEqual([byAgent.status, byAgent.code], [403, 'backup.retention_only']);
    const taken = await call('POST', '/api/v1/backup/retention-lock', retentionToken);
    assert.equal(taken.status, 201);
    const lock = taken.body as { id: string; expiresAt: string };
    assert.ok(Date.parse(lock.expiresAt) > Date.now(), 'the lock lives a while');

    const second = await call('POST', '/api/v1/backup/retention-lock', retentionToken);
    assert.deepEqual([second.status, second.code], [423, 'backup.retention_running']);
    const store = await call('PUT', '/api/v1/backup/objects/snapshots/during', agentToken, randomBytes(64));
    assert.deepEqual([store.status, store.code], [423, 'backup.retention_running']);
    assert.equal((await call('GET', '/api/v1/backup/objects/snapshots/during', agentToken)).status, 404);
    const holder = await call(
      'PUT',
      '/api/v1/backup/objects/index/by-retention',
      retentionToken,
      randomBytes(64),
    );
    assert.equal(holder.status, 200, 'the run itself stores its new index');

    for (const query of ['', `?lock=${randomUUID()}`]) {
      const removal = await call('DELETE', `/api/v1/backup/objects/snapshots/s1${query}`, retentionToken);
      assert.deepEqual([removal.status, removal.code], [409, 'backup.retention_lock_required'], query);
    }
    const extended = await call('PUT', `/api/v1/backup/retention-lock/${lock.id}`, retentionToken);
    assert.equal(extended.status, 200);
    assert.equal((extended.body as { id: string }).id, lock.id);

    assert.equal(
      (await call('DELETE', `/api/v1/backup/retention-lock/${lock.id}`, retentionToken)).status,
      200,
    );
    const lost = await call('PUT', `/api/v1/backup/retention-lock/${lock.id}`, retentionToken);
    assert.deepEqual([lost.status, lost.code], [409, 'backup.retention_lock_lost']);
    const after = await call('PUT', '/api/v1/backup/objects/snapshots/during', agentToken, randomBytes(64));
    assert.equal(after.status, 200, 'stores go on once the run has ended');
  });

  it('keeps practices apart: another practice’s token sees none of these objects', async () => {
    const other = await f.found('Praxis Nebenan', 'n.other');
    const answer = await call('POST', '/api/v1/backup/credentials', other.token, {
      name: 'PC',
      kind: 'agent',
    });
    const otherToken = (answer.body as { token: string }).token;
    assert.equal((await call('GET', '/api/v1/backup/objects/snapshots/s1', otherToken)).status, 404);
    const listed = await call('GET', '/api/v1/backup/objects', otherToken);
    assert.deepEqual((listed.body as { objects: unknown[] }).objects, []);
  });

  it('enforces the quota and refuses a revoked token at once', async () => {
    const big = Buffer.alloc(64 * 1024);
    const usage = await call('GET', '/api/v1/backup/usage', primary.token);
    assert.equal((usage.body as { quotaBytes: number }).quotaBytes, 1024 ** 3);
    const { token, credential: created } = await credential('agent');
    assert.equal((await call('PUT', '/api/v1/backup/objects/index/i1', token, big)).status, 200);
    assert.equal(
      (await call('DELETE', `/api/v1/backup/credentials/${created.id}`, primary.token)).status,
      200,
    );
    const refused = await call('PUT', '/api/v1/backup/objects/index/i2', token, big);
    assert.deepEqual([refused.status, refused.code], [401, 'auth.unauthenticated']);
  });

  it('rejects bad names and kinds with 400 and audits credentials and snapshots', async () => {
    const bad = await call('PUT', '/api/v1/backup/objects/secrets/x', agentToken, Buffer.from('x'));
    assert.equal(bad.status, 400);
    const badName = await call('PUT', '/api/v1/backup/objects/data/..%2Fetc', agentToken, Buffer.from('x'));
    assert.equal(badName.status, 400);
    const entries = await call('GET', '/api/v1/audit/entries?limit=1000', primary.token);
    const actions = (entries.body as { entries: { action: string }[] }).entries.map((e) => e.action);
    for (const action of [
      'backup.agent_credential_created',
      'backup.retention_credential_created',
      'backup.snapshot_stored',
      'backup.credential_revoked',
    ])
      assert.ok(actions.includes(action), action);
  });

  it('refuses object bodies that are not application/octet-stream with 415 and stores nothing', async () => {
    const before = await f.snapshot();
    for (const [type, body] of [
      ['application/json', '{}'],
      ['application/json', 'null'],
      ['text/plain', 'not a pack'],
    ] as const) {
      const response = await fetch(`${f.server.url}/api/v1/backup/objects/index/not-binary`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${agentToken}`, 'content-type': type },
        body,
      });
      const answer = (await response.json()) as { error?: { code?: string } };
      assert.deepEqual(
        [response.status, answer.error?.code],
        [415, 'request.unsupported_media_type'],
        `${type}: ${body}`,
      );
    }
    const read = await call('GET', '/api/v1/backup/objects/index/not-binary', agentToken);
    assert.deepEqual([read.status, read.code], [404, 'backup.object_not_found']);
    assert.equal(await f.snapshot(), before, 'nothing stored');
  });

  it('refuses ids that are not plain uuids with 400, not a server error', async () => {
    const urn = `urn:uuid:${randomUUID()}`;
    const before = await f.snapshot();
    for (const [method, path, token] of [
      ['DELETE', `/api/v1/backup/credentials/${urn}`, primary.token],
      ['PUT', `/api/v1/backup/retention-lock/${urn}`, retentionToken],
      ['DELETE', `/api/v1/backup/retention-lock/${urn}`, retentionToken],
      ['DELETE', `/api/v1/backup/objects/snapshots/s1?lock=${urn}`, retentionToken],
    ] as const) {
      const answer = await call(method, path, token);
      assert.deepEqual([answer.status, answer.code], [400, 'request.invalid'], `${method} ${path}`);
    }
    assert.equal(await f.snapshot(), before);
  });
});

describe('cloud backup repository without a lock period', () => {
  it('lets the retention credential delete, keeps a blob another practice still refers to, and never stores a deleted snapshot again', async () => {
    const f = await MembersFixture.start({
      TRESOR_BACKUP_LOCK_DAYS: '0',
      TRESOR_BACKUP_RETENTION_LOCK_SECONDS: '1',
    });
    try {
      const tokens: string[] = [];
      for (const name of ['p.one', 'p.two']) {
        const session = await f.found(`Praxis ${name}`, name);
        for (const kind of ['agent', 'retention']) {
          const response = await fetch(`${f.server.url}/api/v1/backup/credentials`, {
            method: 'POST',
            headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'PC', kind }),
          });
          tokens.push(((await response.json()) as { token: string }).token);
        }
      }
      const [agentOne, retentionOne, agentTwo] = tokens as [string, string, string, string];
      const same = randomBytes(4096);
      const put = (token: string) =>
        fetch(`${f.server.url}/api/v1/backup/objects/data/shared`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
          body: same,
        });
      assert.equal((await put(agentOne)).status, 200);
      assert.equal((await put(agentTwo)).status, 200);
      const lock = async () => {
        const response = await fetch(`${f.server.url}/api/v1/backup/retention-lock`, {
          method: 'POST',
          headers: { authorization: `Bearer ${retentionOne}` },
        });
        assert.equal(response.status, 201);
        return ((await response.json()) as { id: string }).id;
      };
      const remove = async (lockId: string) =>
        fetch(`${f.server.url}/api/v1/backup/objects/data/shared?lock=${lockId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${retentionOne}` },
        });

      // A lock its run does not extend expires: stores go on, and the run can no longer delete.
      const expiring = await lock();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal((await put(agentOne)).status, 200, 'the expired lock no longer holds stores back');
      assert.equal((await remove(expiring)).status, 409);
      const extend = await fetch(`${f.server.url}/api/v1/backup/retention-lock/${expiring}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${retentionOne}` },
      });
      assert.equal(extend.status, 409, 'an expired lock is lost for good');

      const release = async (lockId: string) => {
        const response = await fetch(`${f.server.url}/api/v1/backup/retention-lock/${lockId}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${retentionOne}` },
        });
        assert.equal(response.status, 200);
      };
      const held = await lock();
      assert.equal((await remove(held)).status, 200);
      await release(held);
      const gone = await fetch(`${f.server.url}/api/v1/backup/objects/data/shared`, {
        headers: { authorization: `Bearer ${agentOne}` },
      });
      assert.equal(gone.status, 404);
      const kept = await fetch(`${f.server.url}/api/v1/backup/objects/data/shared`, {
        headers: { authorization: `Bearer ${agentTwo}` },
      });
      assert.ok(Buffer.from(await kept.arrayBuffer()).equals(same), 'the other practice still reads it');

      // A snapshot the retention deleted is listed as forgotten and never stored again (so a
      // replicate cannot bring it back); the other practice is not affected.
      const snapshot = (token: string, method = 'PUT', query = '') =>
        fetch(`${f.server.url}/api/v1/backup/objects/snapshots/s-old${query}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
          ...(method === 'PUT' ? { body: same } : {}),
        });
      const forgotten = async (token: string) => {
        const response = await fetch(`${f.server.url}/api/v1/backup/forgotten-snapshots`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(response.status, 200);
        return ((await response.json()) as { names: string[] }).names;
      };
      assert.equal((await snapshot(agentOne)).status, 200);
      assert.deepEqual(await forgotten(agentOne), []);
      const second = await lock();
      assert.equal((await snapshot(retentionOne, 'DELETE', `?lock=${second}`)).status, 200);
      await release(second);
      assert.deepEqual(await forgotten(agentOne), ['s-old']);
      const again = await snapshot(agentOne);
      assert.equal(again.status, 409);
      assert.equal(
        ((await again.json()) as { error: { code: string } }).error.code,
        'backup.snapshot_forgotten',
      );
      assert.deepEqual(await forgotten(agentTwo), []);
      assert.equal((await snapshot(agentTwo)).status, 200, 'another practice stores its own s-old');
    } finally {
      await f.close();
    }
  });
});
