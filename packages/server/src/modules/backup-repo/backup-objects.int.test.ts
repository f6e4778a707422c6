import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountSession } from '@tresor/sdk';
import { sql } from 'kysely';
import { AppError } from '../../platform/app-error.js';
import type { BlobKey, ByteRange, PutOptions } from '../../platform/blob/blob-store.js';
import { FsBlobStore } from '../../platform/blob/fs-blob-store.js';
import { MembersFixture } from '../../testing/members-fixture.js';
import { testPostgresUrl } from '../../testing/test-storage.js';
import { BackupRepoService } from './backup-repo.service.js';
import { PgBackupRepoStore } from './backup-repo.store.pg.js';

const OVERHEAD = 28;
const MiB = 1024 * 1024;
const env = {
  v: 1,
  alg: 'A256GCM',
  kid: 'dk',
  nonce: 'AAAAAAAAAAAAAAAA',
  ct: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};
/** Two transactions at once need a real server (embedded PGlite runs one at a time). */
const onlyOnPostgres = testPostgresUrl === undefined && 'needs PostgreSQL (TRESOR_TEST_POSTGRES_URL)';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Resolves once `check` returns true (polled), failing after ~5 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; !(await check()); tries++) {
    assert.ok(tries < 500, `never: ${what}`);
    await sleep(10);
  }
}

/**
 * Backup objects share the content-addressed blob store with each other (across practices) and
 * with document chunks: a blob a failed store deletes again is never one that another object or
 * chunk records, every object's blob is there, and reading an object's headers does not read it.
 */
describe('backup object blobs', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let agent = '';

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Blobstein', 'b.blob');
    const created = await f.raw('POST', '/api/v1/backup/credentials', {
      token: primary.token,
      body: { name: 'PC', kind: 'agent' },
    });
    assert.equal(created.status, 201);
    agent = (created.body as { token: string }).token;
  });
  after(() => f.close());

  const blobRoot = () => join(f.server.storage.dataDir, 'blobs');
  /** Every blob key in the store, and what is left staged (temp files). */
  const blobStore = async () => {
    const keys: string[] = [];
    for (const prefix of await readdir(join(blobRoot(), 'sha256')))
      keys.push(...(await readdir(join(blobRoot(), 'sha256', prefix))));
    return { keys: keys.sort(), staged: await readdir(join(blobRoot(), 'tmp')) };
  };
  /** Blob keys of recorded objects and chunks whose blob is not in the store. */
  const missingBlobs = async () => {
    const { keys } = await blobStore();
    const rows = await f.asOwner(async (trx) => [
      ...(await trx.selectFrom('backup_objects').select('blob_key').execute()),
      ...(await trx.selectFrom('document_chunks').select('blob_key').execute()),
    ]);
    return rows.map((r) => r.blob_key).filter((k) => !keys.includes(k));
  };
  const objectUrl = (kind: string, name: string) => `${f.server.url}/api/v1/backup/objects/${kind}/${name}`;
  const put = async (path: string, token: string, bytes: Uint8Array) => {
    const res = await fetch(path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return [res.status, body.error?.code];
  };
  const putObject = (kind: string, name: string, bytes: Uint8Array) =>
    put(objectUrl(kind, name), agent, bytes);
  const getObject = async (kind: string, name: string) => {
    const res = await fetch(objectUrl(kind, name), { headers: { authorization: `Bearer ${agent}` } });
    return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  /** Transactions of this database waiting for a lock (PostgreSQL). */
  const lockWaiters = async () => {
    const { rows } = await f.asOwner((trx) =>
      sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(trx),
    );
    return rows[0]?.n ?? 0;
  };
  /** Runs `work` while the owner holds a transaction open that has run `hold` (PostgreSQL). */
  const whileOwnerHolds = async <T>(
    hold: (trx: Parameters<Parameters<MembersFixture['asOwner']>[0]>[0]) => Promise<unknown>,
    work: () => Promise<T>,
  ): Promise<T> => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const owner = f.asOwner(async (trx) => {
      await hold(trx);
      held();
      await released;
    });
    try {
      await Promise.race([holding, owner]);
      return await work();
    } finally {
      release();
      await owner;
    }
  };
  /** A document upload of one chunk of `size` sealed bytes (records API), open for its chunk. */
  const startUpload = async (size: number) => {
    const patient = randomUUID();
    const created = await f.raw('POST', '/api/v1/patients', {
      token: primary.token,
      body: {
        id: patient,
        dataKey: { ...env, kid: 'pk.v1' },
        master: env,
        blindIndex: { pkVersion: 1, kvnr: 1, nameDob: 2 },
        directory: { ...env, kid: 'dir.pk.v1' },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = randomUUID();
    const started = await f.raw('POST', `/api/v1/patients/${patient}/documents`, {
      token: primary.token,
      body: { id, meta: env, size: size - OVERHEAD, chunkSize: MiB },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    return id;
  };
  const putChunk = (id: string, bytes: Uint8Array) =>
    put(`${f.server.url}/api/v1/documents/${id}/chunks/0`, primary.token, bytes);
  /** Runs `work` while every write of a chunk row of document `id` fails as a lost race does. */
  const whileChunkRecordingFails = async <T>(id: string, work: () => Promise<T>): Promise<T> => {
    await f.asOwner(async (trx) => {
      await sql`
        create or replace function test_lose_chunk_race() returns trigger language plpgsql as $$
        begin
          raise exception 'could not serialize access due to concurrent update' using errcode = '40001';
        end $$`.execute(trx);
      await sql`
        create trigger test_lose_chunk_race before insert or update on document_chunks for each row
        when (new.document_id = ${sql.lit(id)}::uuid) execute function test_lose_chunk_race()`.execute(trx);
    });
    try {
      return await work();
    } finally {
      await f.asOwner((trx) => sql`drop trigger test_lose_chunk_race on document_chunks`.execute(trx));
    }
  };

  it('never records an object whose blob a failed store of the same bytes deleted meanwhile', async (t) => {
    const bytes = new Uint8Array(randomBytes(1000));
    assert.deepEqual(await putObject('data', 'taken', new Uint8Array(randomBytes(1000))), [200, undefined]);

    // The next blob put is held after the blob is stored, before the object is recorded.
    const put = FsBlobStore.prototype.put; // eslint-disable-line @typescript-eslint/unbound-method
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let stored!: () => void;
    const holding = new Promise<void>((resolve) => (stored = resolve));
    let gate: Promise<void> | undefined = released;
    t.mock.method(
      FsBlobStore.prototype,
      'put',
      async function (this: FsBlobStore, content: AsyncIterable<Uint8Array>, options?: PutOptions) {
        const info = await put.call(this, content, options);
        const wait = gate;
        gate = undefined;
        if (wait !== undefined) {
          stored();
          await wait;
        }
        return info;
      },
    );
    const first = putObject('data', 'first', bytes);
    await holding;
    // The same bytes under a taken name: refused, and its blob (the same one) deleted again.
    assert.deepEqual(await putObject('data', 'taken', bytes), [409, 'backup.object_exists']);
    release();
    const answer = await first;
    t.mock.restoreAll();

    // Either it recorded its object (and the blob is there) or it lost the race (retryable).
    if (answer[0] !== 200) {
      assert.deepEqual(answer, [409, 'request.conflict']);
      assert.deepEqual(await putObject('data', 'first', bytes), [200, undefined]);
    }
    assert.deepEqual(await missingBlobs(), []);
    const read = await getObject('data', 'first');
    assert.equal(read.status, 200);
    assert.deepEqual(read.bytes, bytes);
    assert.deepEqual((await blobStore()).staged, []);
  });

  it('removes the blob of an object whose recording fails, and keeps blobs recorded objects use', async () => {
    const kept = new Uint8Array(randomBytes(500));
    assert.deepEqual(await putObject('index', 'kept', kept), [200, undefined]);
    const before = await blobStore();
    await f.asOwner(async (trx) => {
      await sql`
        create or replace function test_lose_object_race() returns trigger language plpgsql as $$
        begin
          raise exception 'could not serialize access due to concurrent update' using errcode = '40001';
        end $$`.execute(trx);
      await sql`
        create trigger test_lose_object_race before insert on backup_objects for each row
        when (new.name = 'lost') execute function test_lose_object_race()`.execute(trx);
    });
    try {
      assert.deepEqual(await putObject('index', 'lost', new Uint8Array(randomBytes(500))), [
        409,
        'request.conflict',
      ]);
      assert.deepEqual(await putObject('index', 'lost', kept), [409, 'request.conflict']);
    } finally {
      await f.asOwner((trx) => sql`drop trigger test_lose_object_race on backup_objects`.execute(trx));
    }
    assert.deepEqual(await blobStore(), before, 'no blob left behind, none of a recorded object deleted');
    assert.deepEqual(await missingBlobs(), []);
    assert.deepEqual(await putObject('index', 'lost', kept), [200, undefined]);
  });

  it(
    'never deletes the blob of a document chunk being recorded when a store of the same bytes fails',
    { skip: onlyOnPostgres },
    async () => {
      const bytes = new Uint8Array(randomBytes(10 + OVERHEAD));
      const document = await startUpload(bytes.length);
      assert.deepEqual(await putChunk(document, new Uint8Array(randomBytes(bytes.length))), [200, undefined]);
      assert.deepEqual(await putObject('data', 'taken-too', new Uint8Array(randomBytes(64))), [
        200,
        undefined,
      ]);
      // The chunk upload stores its blob and takes the blob's lock, then waits for its chunk row
      // (held here); meanwhile the same bytes sent as a taken backup object are refused.
      let chunkAnswer: Promise<(string | number | undefined)[]> | undefined;
      let objectAnswer: Promise<(string | number | undefined)[]> | undefined;
      await whileOwnerHolds(
        (trx) =>
          trx
            .selectFrom('document_chunks')
            .select('idx')
            .where('document_id', '=', document)
            .forUpdate()
            .execute(),
        async () => {
          chunkAnswer = putChunk(document, bytes);
          await until('the chunk upload waits for its row', async () => (await lockWaiters()) === 1);
          objectAnswer = putObject('data', 'taken-too', bytes);
          // It waits for the blob's lock (fixed), or has deleted the blob already (the bug).
          await Promise.race([
            objectAnswer,
            until('the refused store waits for the blob', async () => (await lockWaiters()) === 2),
          ]);
        },
      );
      assert.deepEqual(await objectAnswer, [409, 'backup.object_exists']);
      const answer = await chunkAnswer!;
      if (answer[0] !== 200) {
        assert.deepEqual(answer, [409, 'request.conflict']);
        assert.deepEqual(await putChunk(document, bytes), [200, undefined]);
      }
      assert.deepEqual(await missingBlobs(), []);
      const done = await f.raw('POST', `/api/v1/documents/${document}/complete`, { token: primary.token });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    },
  );

  it(
    'never deletes the blob of an object being recorded when a document chunk of the same bytes fails',
    { skip: onlyOnPostgres },
    async () => {
      const bytes = new Uint8Array(randomBytes(10 + OVERHEAD));
      const document = await startUpload(bytes.length);
      const { practiceId } = await f.asOwner((trx) =>
        trx
          .selectFrom('documents')
          .select('practice_id as practiceId')
          .where('id', '=', document)
          .executeTakeFirstOrThrow(),
      );
      // The snapshot store records its object, then waits for the practice's audit log (held
      // here) to log it; meanwhile the same bytes sent as a chunk fail to be recorded.
      let objectAnswer: Promise<(string | number | undefined)[]> | undefined;
      const chunkAnswer = await whileChunkRecordingFails(document, async () => {
        let chunk: Promise<(string | number | undefined)[]> | undefined;
        await whileOwnerHolds(
          (trx) =>
            trx
              .selectFrom('audit_heads')
              .select('seq')
              .where('practice_id', '=', practiceId)
              .forUpdate()
              .execute(),
          async () => {
            objectAnswer = putObject('snapshots', 'held', bytes);
            await until(
              'the snapshot store waits for the audit log',
              async () => (await lockWaiters()) === 1,
            );
            chunk = putChunk(document, bytes);
            // It waits for the blob's lock (fixed), or has deleted the blob already (the bug).
            await Promise.race([
              chunk,
              until('the failed chunk waits for the blob', async () => (await lockWaiters()) === 2),
            ]);
          },
        );
        return chunk;
      });
      assert.deepEqual(chunkAnswer, [409, 'request.conflict']);
      assert.deepEqual(await objectAnswer, [200, undefined]);
      assert.deepEqual(await missingBlobs(), []);
      const read = await getObject('snapshots', 'held');
      assert.equal(read.status, 200);
      assert.deepEqual(read.bytes, bytes);
    },
  );

  it('answers HEAD with the headers of GET, without reading the blob', async (t) => {
    const bytes = new Uint8Array(randomBytes(100_000));
    assert.deepEqual(await putObject('data', 'headed', bytes), [200, undefined]);
    const get = FsBlobStore.prototype.get; // eslint-disable-line @typescript-eslint/unbound-method
    let reads = 0;
    t.mock.method(
      FsBlobStore.prototype,
      'get',
      function (this: FsBlobStore, key: BlobKey, range?: ByteRange) {
        reads++;
        return get.call(this, key, range);
      },
    );
    const request = (method: string, headers: Record<string, string> = {}, name = 'headed') =>
      fetch(objectUrl('data', name), { method, headers: { authorization: `Bearer ${agent}`, ...headers } });
    const headersOf = (res: Response) =>
      Object.fromEntries(
        ['content-type', 'content-length', 'accept-ranges', 'x-content-sha256', 'content-range'].map((h) => [
          h,
          res.headers.get(h),
        ]),
      );

    for (const headers of [{}, { range: 'bytes=10-19' }, { range: 'bytes=99990-' }]) {
      const head = await request('HEAD', headers);
      assert.equal(reads, 0, 'HEAD read the blob');
      assert.equal((await head.arrayBuffer()).byteLength, 0);
      const got = await request('GET', headers);
      await got.arrayBuffer();
      assert.equal(reads, 1);
      reads = 0;
      assert.equal(head.status, got.status);
      assert.deepEqual(headersOf(head), headersOf(got), JSON.stringify(headers));
    }
    assert.equal((await request('HEAD')).headers.get('x-content-sha256'), sha256(bytes));
    assert.equal((await request('HEAD', { range: 'bytes=100000-' })).status, 416);
    assert.equal((await request('HEAD', {}, 'missing')).status, 404);
    assert.equal(reads, 0);
  });

  it("lists an object whose blob rotted on the server's disk as damaged until the agent stores it again", async () => {
    const bytes = new Uint8Array(randomBytes(50_000));
    assert.deepEqual(await putObject('data', 'rotting', bytes), [200, undefined]);
    const listed = async () => {
      const res = await fetch(`${f.server.url}/api/v1/backup/objects?kind=data`, {
        headers: { authorization: `Bearer ${agent}` },
      });
      const { objects } = (await res.json()) as { objects: { name: string; damaged: boolean }[] };
      return objects.find((o) => o.name === 'rotting')?.damaged;
    };
    assert.equal(await listed(), false);

    const key = sha256(bytes);
    const path = join(blobRoot(), 'sha256', key.slice(0, 2), key);
    const rotten = Uint8Array.from(bytes);
    rotten[12_345]! ^= 0x10; // one bit flipped on disk
    await writeFile(path, rotten);

    const found = await f.server.app.blobScrubber.runOnce();
    assert.ok(found.complete);
    assert.equal(found.damaged, 1);
    assert.equal(await listed(), true);
    assert.equal(
      (await getObject('data', 'rotting')).status,
      200,
      'still served: the agent verifies what it reads',
    );

    // The agent token may store the same bytes again (never other bytes): that repairs it.
    assert.deepEqual(await putObject('data', 'rotting', rotten), [409, 'backup.object_exists']);
    assert.deepEqual(await putObject('data', 'rotting', bytes), [200, undefined]);
    assert.equal(await listed(), false);
    assert.deepEqual((await getObject('data', 'rotting')).bytes, bytes);
    const after = await f.server.app.blobScrubber.runOnce();
    assert.deepEqual([after.damaged, after.healed], [0, 0]);
    const rows = await f.asOwner((trx) => trx.selectFrom('blob_damage').selectAll().execute());
    assert.deepEqual(rows, []);
  });
});

/**
 * The quota holds for concurrent stores. It is at least 1 GB through the app's configuration, so
 * this drives the service directly (its own quota and blob store, the test server's database).
 */
describe('backup quota under concurrent stores', () => {
  let f: MembersFixture;
  let blobDir: string;

  before(async () => {
    f = await MembersFixture.start();
    blobDir = await mkdtemp(join(tmpdir(), 'tresor-quota-blobs-'));
  });
  after(async () => {
    await f.close();
    await rm(blobDir, { recursive: true, force: true });
  });

  it(
    'lets only as many stores through as fit, even when they are recorded at once',
    { skip: onlyOnPostgres },
    async () => {
      const primary = await f.found('Praxis Kontingent', 'k.quota');
      const created = await f.raw('POST', '/api/v1/backup/credentials', {
        token: primary.token,
        body: { name: 'PC', kind: 'agent' },
      });
      assert.equal(created.status, 201);
      // Each store waits in its audit append (inside its recording transaction) until released.
      let arrived = 0;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const audit = {
        async append() {
          arrived++;
          await released;
        },
      };
      const service = new BackupRepoService(
        new PgBackupRepoStore(f.server.database.db),
        await FsBlobStore.open(blobDir),
        audit,
        { lockDays: 0, quotaBytes: 1000, maxObjectBytes: 1000, retentionLockSeconds: 60 },
      );
      const caller = await service.authenticate((created.body as { token: string }).token);
      assert.ok(caller);
      const store = (name: string) =>
        service.put(
          caller,
          'snapshots',
          name,
          (async function* () {
            yield randomBytes(600);
          })(),
          undefined,
        );

      const stores = [store('s1'), store('s2')];
      await until('a store is recorded', async () => arrived >= 1);
      // The other one is recorded too (the bug), or waits for the first to commit.
      await until('both stores are in their recording transactions', async () => {
        const { rows } = await f.asOwner((trx) =>
          sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(trx),
        );
        return arrived === 2 || (rows[0]?.n ?? 0) === 1;
      });
      release();
      const outcomes = await Promise.allSettled(stores);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one store fits');
      const refused = outcomes.find((o) => o.status === 'rejected');
      assert.ok(
        refused?.reason instanceof AppError && refused.reason.code === 'backup.quota_exceeded',
        String(refused?.reason),
      );
      const usage = await service.usage(caller);
      assert.deepEqual([usage.objects, usage.bytes], [1, 600]);
    },
  );
});
