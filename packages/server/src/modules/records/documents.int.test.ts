import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountSession } from '@tresor/sdk';
import { sql } from 'kysely';
import { MembersFixture } from '../../testing/members-fixture.js';
import { testPostgresUrl } from '../../testing/test-storage.js';

const MiB = 1024 * 1024;
const OVERHEAD = 28;
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

/**
 * Chunk blobs of document uploads: a blob written for a chunk whose recording fails (a lost race)
 * is removed again, and a blob that a recorded chunk refers to never is.
 */
describe('document chunk blobs', () => {
  let f: MembersFixture;
  let primary: AccountSession;

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Dr. Lorenz', 'm.lorenz');
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
  /** Blob keys of recorded chunks whose blob is not in the store. */
  const missingBlobs = async () => {
    const { keys } = await blobStore();
    const rows = await f.asOwner((trx) => trx.selectFrom('document_chunks').select('blob_key').execute());
    return rows.map((r) => r.blob_key).filter((k) => !keys.includes(k));
  };
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
      body: { id, meta: env, size, chunkSize: MiB },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    return id;
  };
  const put = async (path: string, bytes: Uint8Array) => {
    const res = await fetch(`${f.server.url}${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${primary.token}`, 'content-type': 'application/octet-stream' },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return [res.status, body.error?.code];
  };
  const putChunk = (id: string, index: number, bytes: Uint8Array) =>
    put(`/api/v1/documents/${id}/chunks/${index}`, bytes);
  const putContent = (id: string, from: number, bytes: Uint8Array) =>
    put(`/api/v1/documents/${id}/content?from=${from}`, bytes);
  const download = async (id: string) => {
    const res = await fetch(`${f.server.url}/api/v1/documents/${id}/content`, {
      headers: { authorization: `Bearer ${primary.token}` },
    });
    assert.equal(res.status, 200);
    return new Uint8Array(await res.arrayBuffer());
  };
  /**
   * Runs `work` while every write of a chunk row of `documentId` fails as a transaction that lost
   * a race does (a serialization failure, which the API answers with a retryable 409).
   */
  const whileRecordingFails = async <T>(documentId: string, work: () => Promise<T>): Promise<T> => {
    await f.asOwner(async (trx) => {
      await sql`
        create or replace function test_lose_chunk_race() returns trigger language plpgsql as $$
        begin
          raise exception 'could not serialize access due to concurrent update' using errcode = '40001';
        end $$`.execute(trx);
      await sql`
        create trigger test_lose_chunk_race before insert or update on document_chunks for each row
        when (new.document_id = ${sql.lit(documentId)}::uuid) execute function test_lose_chunk_race()`.execute(
        trx,
      );
    });
    try {
      return await work();
    } finally {
      await f.asOwner(async (trx) => {
        await sql`drop trigger test_lose_chunk_race on document_chunks`.execute(trx);
      });
    }
  };

  it('remove the blobs of chunks whose recording loses a race, and keep those recorded chunks use', async () => {
    const id = await startUpload(2 * MiB + 10); // three chunks
    const sealed = [0, 1, 2].map((i) => new Uint8Array(randomBytes((i < 2 ? MiB : 10) + OVERHEAD)));
    const joined = new Uint8Array(sealed[1]!.length + sealed[2]!.length);
    joined.set(sealed[1]!);
    joined.set(sealed[2]!, sealed[1]!.length);
    assert.deepEqual(await putChunk(id, 0, sealed[0]!), [200, undefined]);
    const before = await blobStore();
    assert.ok(before.keys.includes(sha256(sealed[0]!)));

    await whileRecordingFails(id, async () => {
      // One chunk, a run of chunks, and chunk 0 again with the very bytes (and blob) it has.
      assert.deepEqual(await putChunk(id, 1, sealed[1]!), [409, 'request.conflict']);
      assert.deepEqual(await putContent(id, 1, joined), [409, 'request.conflict']);
      assert.deepEqual(await putChunk(id, 0, sealed[0]!), [409, 'request.conflict']);
      // And chunk 0 with other bytes: its recorded blob stays, the new one goes.
      const other = new Uint8Array(randomBytes(MiB + OVERHEAD));
      assert.deepEqual(await putChunk(id, 0, other), [409, 'request.conflict']);
    });
    assert.deepEqual(await blobStore(), before, 'no blob left behind, none of a recorded chunk deleted');
    assert.deepEqual(await missingBlobs(), []);

    // The upload goes on as if the failed requests had never been made.
    assert.deepEqual(await putContent(id, 1, joined), [200, undefined]);
    const done = await f.raw('POST', `/api/v1/documents/${id}/complete`, { token: primary.token });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const whole = new Uint8Array(sealed[0]!.length + joined.length);
    whole.set(sealed[0]!);
    whole.set(joined, sealed[0]!.length);
    assert.deepEqual(await download(id), whole);
  });

  it(
    'never delete the blob of a chunk that a concurrent upload of the same bytes records',
    { skip: onlyOnPostgres },
    async () => {
      const failing = await startUpload(10);
      const kept = await startUpload(10);
      const bytes = new Uint8Array(randomBytes(10 + OVERHEAD));
      // The upload to `kept` stores its blob, then waits for its document (held here) to record
      // it; meanwhile the same bytes (the same blob) sent to `failing` are stored and not recorded.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const owner = f.asOwner(async (trx) => {
        await trx.selectFrom('documents').select('id').where('id', '=', kept).forUpdate().execute();
        locked();
        await released;
      });
      let keptAnswer: Promise<(string | number | undefined)[]> | undefined;
      try {
        await Promise.race([holding, owner]);
        keptAnswer = putChunk(kept, 0, bytes);
        for (let tries = 0; ; tries++) {
          const { rows } = await f.asOwner((trx) =>
            sql<{ n: number }>`
              select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`.execute(trx),
          );
          if ((rows[0]?.n ?? 0) > 0) break;
          assert.ok(tries < 500, 'the upload never waited for its document');
          await sleep(10);
        }
        await whileRecordingFails(failing, async () => {
          assert.deepEqual(await putChunk(failing, 0, bytes), [409, 'request.conflict']);
        });
      } finally {
        release();
        await owner;
      }
      const answer = await keptAnswer;
      // Either it recorded its chunk (and the blob is there) or it lost the race too (retryable).
      if (answer[0] !== 200) {
        assert.deepEqual(answer, [409, 'request.conflict']);
        assert.deepEqual(await putChunk(kept, 0, bytes), [200, undefined]);
      }
      assert.deepEqual(await missingBlobs(), []);
      const done = await f.raw('POST', `/api/v1/documents/${kept}/complete`, { token: primary.token });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.deepEqual(await download(kept), bytes);
      assert.deepEqual((await blobStore()).staged, []);
    },
  );

  it("refuses to send a document whose chunk the server's integrity scrub found damaged, with a clear code", async () => {
    const id = await startUpload(MiB + 10); // two chunks
    const sealed = [MiB, 10].map((n) => new Uint8Array(randomBytes(n + OVERHEAD)));
    assert.deepEqual(await putChunk(id, 0, sealed[0]!), [200, undefined]);
    assert.deepEqual(await putChunk(id, 1, sealed[1]!), [200, undefined]);
    const done = await f.raw('POST', `/api/v1/documents/${id}/complete`, { token: primary.token });
    assert.equal(done.status, 200, JSON.stringify(done.body));

    const key = sha256(sealed[1]!);
    const rotten = Uint8Array.from(sealed[1]!);
    rotten[3]! ^= 0x04; // a bit flips on the server's disk
    await writeFile(join(blobRoot(), 'sha256', key.slice(0, 2), key), rotten);
    assert.equal((await f.server.app.blobScrubber.runOnce()).damaged, 1);
    // The practice's primary users are alarmed once (not again at the next pass), in the audit
    // trail too.
    const alarms = async () => {
      const listed = await f.raw('GET', '/api/v1/security/alarms', { token: primary.token });
      const all = (listed.body as { alarms: { kind: string; detail: string }[] }).alarms;
      return all.filter((alarm) => alarm.kind === 'integrity.data_damaged');
    };
    const raised = await alarms();
    assert.equal(raised.length, 1);
    assert.match(raised[0]!.detail, /found 1 stored file\(s\) of this practice damaged/);
    assert.equal((await f.server.app.blobScrubber.runOnce()).damaged, 1);
    assert.equal((await alarms()).length, 1, 'no second alarm for the same damage');
    const audit = await f.asOwner((trx) =>
      trx
        .selectFrom('audit_entries')
        .select('action')
        .where('action', '=', 'integrity.damage_found')
        .execute(),
    );
    assert.equal(audit.length, 1);

    for (const path of [`/api/v1/documents/${id}/content`, `/api/v1/documents/${id}/chunks/1`]) {
      const refused = await f.raw('GET', path, { token: primary.token });
      assert.deepEqual([refused.status, refused.code], [500, 'records.document_damaged'], path);
      assert.match(JSON.stringify(refused.body), /damaged/);
    }
    // The sound chunk alone is still sent.
    const first = await fetch(`${f.server.url}/api/v1/documents/${id}/chunks/0`, {
      headers: { authorization: `Bearer ${primary.token}` },
    });
    assert.equal(first.status, 200);
    assert.deepEqual(new Uint8Array(await first.arrayBuffer()), sealed[0]);
  });
});
