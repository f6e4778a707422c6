import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountSession } from '@tresor/sdk';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { MembersFixture } from '../../testing/members-fixture.js';
import { runCli } from '../../testing/server-process.js';
import { createTestStorage, storageEnv, testPostgresUrl } from '../../testing/test-storage.js';
import { openDatabase } from '../db/database.js';
import { lockDataDir } from '../lock/data-dir-lock.js';
import type { BlobKey, PutOptions, StagedBlob } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import type { OrphanSweepSummary } from './orphan-sweep.js';

const HOUR = 60 * 60 * 1000;
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
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex') as BlobKey;

/** Resolves once `check` returns true (polled), failing after ~5 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; !(await check()); tries++) {
    assert.ok(tries < 500, `never: ${what}`);
    await sleep(10);
  }
}

/** A blob file as a crash leaves it: in the store, recorded nowhere. */
async function writeBlobFile(blobRoot: string, bytes: Uint8Array): Promise<BlobKey> {
  const key = sha256(bytes);
  await mkdir(join(blobRoot, 'sha256', key.slice(0, 2)), { recursive: true });
  await writeFile(join(blobRoot, 'sha256', key.slice(0, 2), key), bytes);
  return key;
}

async function ageBlob(blobRoot: string, key: string, ms: number): Promise<void> {
  const at = new Date(Date.now() - ms);
  await utimes(join(blobRoot, 'sha256', key.slice(0, 2), key), at, at);
}

async function storedKeys(blobRoot: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of await readdir(join(blobRoot, 'sha256')))
    keys.push(...(await readdir(join(blobRoot, 'sha256', prefix))));
  return keys.sort();
}

/**
 * The sweep of orphaned blobs in the running app, against real document chunks and backup
 * objects: it deletes only blobs past the grace period that nothing refers to, and a writer that
 * loses its blob to it fails with a retryable conflict instead of recording a missing blob.
 */
describe('orphaned blob sweep', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let agent = '';

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Kehrwoche', 'k.kehr');
    const created = await f.raw('POST', '/api/v1/backup/credentials', {
      token: primary.token,
      body: { name: 'PC', kind: 'agent' },
    });
    assert.equal(created.status, 201);
    agent = (created.body as { token: string }).token;
    // The database refers to some blob (else the sweep deletes nothing), whichever test runs.
    const first = new Uint8Array(randomBytes(100));
    assert.deepEqual(await putObject('data', sha256(first), first), [200, undefined]);
  });
  after(() => f.close());

  const blobRoot = () => join(f.server.storage.dataDir, 'blobs');
  const ageAll = async (ms: number) => {
    for (const key of await storedKeys(blobRoot())) await ageBlob(blobRoot(), key, ms);
  };
  /** Blob keys of recorded objects and chunks whose blob is not in the store. */
  const missingBlobs = async () => {
    const keys = await storedKeys(blobRoot());
    const rows = await f.asOwner(async (trx) => [
      ...(await trx.selectFrom('backup_objects').select('blob_key').execute()),
      ...(await trx.selectFrom('document_chunks').select('blob_key').execute()),
    ]);
    return rows.map((r) => r.blob_key).filter((k) => !keys.includes(k));
  };
  const put = async (url: string, token: string, bytes: Uint8Array) => {
    const res = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return [res.status, body.error?.code];
  };
  const objectUrl = (kind: string, name: string) => `${f.server.url}/api/v1/backup/objects/${kind}/${name}`;
  const putObject = (kind: string, name: string, bytes: Uint8Array) =>
    put(objectUrl(kind, name), agent, bytes);
  const getObject = async (kind: string, name: string) => {
    const res = await fetch(objectUrl(kind, name), { headers: { authorization: `Bearer ${agent}` } });
    return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
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
  const chunkKeys = (documentId: string) =>
    f.asOwner(async (trx) =>
      (
        await trx
          .selectFrom('document_chunks')
          .select('blob_key')
          .where('document_id', '=', documentId)
          .execute()
      ).map((row) => row.blob_key),
    );

  it('deletes an orphan past the grace period, keeps young orphans and every referenced blob', async () => {
    const patient = await primary.records.createPatient({
      givenName: 'Greta',
      familyName: 'Besen',
      birthDate: '1968-05-17',
      sex: 'female',
    });
    const document = await primary.records.uploadDocument(patient.id, {
      name: 'befund.txt',
      type: 'text/plain',
      size: 16,
      stream: () => new Blob(['Befund Kehrwoche']).stream(),
    });
    const open = await startUpload(300); // an upload still open: its chunk is referenced too
    assert.deepEqual(await putChunk(open, randomBytes(300)), [200, undefined]);
    const pack = new Uint8Array(randomBytes(700));
    assert.deepEqual(await putObject('data', sha256(pack), pack), [200, undefined]);
    const orphanBytes = randomBytes(1234);
    const orphan = await writeBlobFile(blobRoot(), orphanBytes);
    await ageAll(30 * 24 * HOUR);
    const young = await writeBlobFile(blobRoot(), randomBytes(99));
    await ageBlob(blobRoot(), young, 23 * HOUR);
    const before = await storedKeys(blobRoot());

    const summary = await f.server.app.blobSweeper.runOnce();
    assert.deepEqual(
      [summary.deleted, summary.deletedBytes, summary.young, summary.referenced, summary.blobs],
      [1, orphanBytes.length, 1, before.length - 2, before.length],
    );
    assert.deepEqual(
      await storedKeys(blobRoot()),
      before.filter((key) => key !== orphan),
    );
    assert.deepEqual(await missingBlobs(), []);
    const { stream } = await primary.records.downloadDocument(document.id);
    assert.equal(await new Response(stream).text(), 'Befund Kehrwoche');
    const read = await getObject('data', sha256(pack));
    assert.equal(read.status, 200);
    assert.deepEqual(read.bytes, pack);

    const again = await f.server.app.blobSweeper.runOnce();
    assert.equal(again.deleted, 0);
  });

  it('a chunk whose blob the sweep deleted before it was recorded gets a retryable 409, no row', async (t) => {
    const id = await startUpload(500);
    const bytes = new Uint8Array(randomBytes(500));
    // The sweep runs between the chunk's commit to the blob store and its recording, the blob
    // already past the grace period (as after a stalled request).
    const commit = FsBlobStore.prototype.commit; // eslint-disable-line @typescript-eslint/unbound-method
    let swept: OrphanSweepSummary | undefined;
    t.mock.method(
      FsBlobStore.prototype,
      'commit',
      async function (this: FsBlobStore, staged: readonly StagedBlob[]) {
        await commit.call(this, staged);
        if (swept !== undefined) return;
        for (const blob of staged) await ageBlob(blobRoot(), blob.key, 48 * HOUR);
        swept = await f.server.app.blobSweeper.runOnce();
      },
    );
    assert.deepEqual(await putChunk(id, bytes), [409, 'request.conflict']);
    t.mock.restoreAll();
    assert.equal(swept?.deleted, 1);
    assert.deepEqual(await chunkKeys(id), []);
    assert.deepEqual(await missingBlobs(), []);

    assert.deepEqual(await putChunk(id, bytes), [200, undefined], 'the retry stores it');
    assert.deepEqual(await chunkKeys(id), [sha256(bytes)]);
    assert.deepEqual(await missingBlobs(), []);
  });

  it('a backup object whose blob the sweep deleted before it was recorded gets a retryable 409', async (t) => {
    const bytes = new Uint8Array(randomBytes(800));
    const name = sha256(bytes);
    const putBlob = FsBlobStore.prototype.put; // eslint-disable-line @typescript-eslint/unbound-method
    let swept: OrphanSweepSummary | undefined;
    t.mock.method(
      FsBlobStore.prototype,
      'put',
      async function (this: FsBlobStore, content: AsyncIterable<Uint8Array>, options?: PutOptions) {
        const info = await putBlob.call(this, content, options);
        if (swept === undefined) {
          await ageBlob(blobRoot(), info.key, 48 * HOUR);
          swept = await f.server.app.blobSweeper.runOnce();
        }
        return info;
      },
    );
    assert.deepEqual(await putObject('data', name, bytes), [409, 'request.conflict']);
    t.mock.restoreAll();
    assert.equal(swept?.deleted, 1);
    assert.equal((await getObject('data', name)).status, 404);
    assert.deepEqual(await putObject('data', name, bytes), [200, undefined], 'the retry stores it');
    assert.deepEqual((await getObject('data', name)).bytes, bytes);
    assert.deepEqual(await missingBlobs(), []);
  });

  it(
    'waits for a writer holding the blob lock, then keeps the blob it recorded',
    { skip: onlyOnPostgres },
    async (t) => {
      const id = await startUpload(400);
      const bytes = new Uint8Array(randomBytes(400));
      const key = sha256(bytes);
      // The writer pauses in its recording transaction, right after its check that the blob exists.
      const head = FsBlobStore.prototype.head; // eslint-disable-line @typescript-eslint/unbound-method
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      let armed = true;
      t.mock.method(FsBlobStore.prototype, 'head', async function (this: FsBlobStore, blobKey: BlobKey) {
        const info = await head.call(this, blobKey);
        if (armed && blobKey === key) {
          armed = false;
          await ageBlob(blobRoot(), key, 48 * HOUR);
          held();
          await released;
        }
        return info;
      });
      const writing = putChunk(id, bytes);
      await holding;
      const sweeping = f.server.app.blobSweeper.runOnce();
      const lockWaiters = async () => {
        const { rows } = await f.asOwner((trx) =>
          sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`.execute(trx),
        );
        return rows[0]?.n ?? 0;
      };
      try {
        await until('the sweep waits for the blob lock', async () => (await lockWaiters()) > 0);
      } finally {
        release(); // a failure here must not leave the writer waiting (and the app unable to close)
      }
      assert.deepEqual(await writing, [200, undefined]);
      const summary = await sweeping;
      t.mock.restoreAll();
      assert.equal(summary.deleted, 0);
      assert.ok(summary.referenced >= 1);
      assert.deepEqual(await chunkKeys(id), [key]);
      assert.deepEqual(await missingBlobs(), []);
    },
  );

  it('a failing sweep rejects its pass and leaves the server serving; the next pass works', async (t) => {
    t.mock.method(FsBlobStore.prototype, 'list', () => {
      throw new Error('blob store unreachable');
    });
    await assert.rejects(f.server.app.blobSweeper.runOnce(), /blob store unreachable/);
    t.mock.restoreAll();
    assert.equal((await fetch(`${f.server.url}/healthz`)).status, 200);
    assert.equal((await f.server.app.blobSweeper.runOnce()).complete, true);
  });
});

// Runs the built CLI (dist/cli.js): build first with `npx tsc -b`.
describe('tresor blobs sweep', () => {
  it('deletes orphans past the grace period, refuses while the data directory is in use', async () => {
    const storage = await createTestStorage();
    try {
      const cliEnv = storageEnv(storage);
      const root = join(storage.dataDir, 'blobs');
      const old = await writeBlobFile(root, randomBytes(2048));
      await ageBlob(root, old, 25 * HOUR);
      const recent = await writeBlobFile(root, randomBytes(10));
      await ageBlob(root, recent, 2 * HOUR);
      const used = await writeBlobFile(root, randomBytes(4096));
      await ageBlob(root, used, 100 * HOUR);
      const database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
      await database.close();

      // A database that refers to no blob at all (a wrong DATABASE_URL?) empties nothing.
      const refused = await runCli(['blobs', 'sweep'], cliEnv);
      assert.equal(refused.code, 0, refused.stderr);
      assert.match(refused.stdout, /^Deleted nothing: the database refers to no blob/);
      assert.deepEqual(await storedKeys(root), [old, recent, used].sort());

      const again = await openDatabase({ ...storage, migrations, mode: 'migrate' });
      await again.db
        .insertInto('blob_references')
        .values({ blob_key: used, practice_id: randomUUID(), refs: 1 })
        .execute();
      await again.close();
      const swept = await runCli(['blobs', 'sweep'], cliEnv);
      assert.equal(swept.code, 0, swept.stderr);
      assert.equal(
        swept.stdout,
        'Deleted 1 orphaned blob (2.0 KiB); checked 3 blobs (6.0 KiB): 1 referenced, 1 written within the last 24 h (not checked).\n',
      );
      assert.deepEqual(await storedKeys(root), [recent, used].sort());

      const json = await runCli(['blobs', 'sweep', '--grace-hours', '1', '--json'], cliEnv);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), {
        blobs: 2,
        bytes: 4106,
        young: 0,
        referenced: 1,
        deleted: 1,
        deletedBytes: 10,
        complete: true,
        noReferences: false,
      });
      assert.deepEqual(await storedKeys(root), [used]);

      assert.equal((await runCli(['blobs', 'sweep', '--grace-hours', '-1'], cliEnv)).code, 2);
      const lock = await lockDataDir(storage.dataDir);
      try {
        const locked = await runCli(['blobs', 'sweep'], cliEnv);
        assert.equal(locked.code, 1);
        assert.match(locked.stderr, /in use/);
      } finally {
        await lock.release();
      }
      assert.equal(existsSync(join(root, 'tmp')), true);
    } finally {
      await storage.dispose();
    }
  });
});
