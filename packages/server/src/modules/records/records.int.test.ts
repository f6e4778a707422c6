import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountSession } from '@tresor/sdk';
import { sql, type Transaction } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { MembersFixture, type RawAnswer } from '../../testing/members-fixture.js';
import { testPostgresUrl } from '../../testing/test-storage.js';

const MiB = 1024 * 1024;
const OVERHEAD = 28;

/** A well-formed envelope; the server cannot and does not open it. */
const env = (kid = 'dk', ct = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') => ({
  v: 1,
  alg: 'A256GCM',
  kid,
  nonce: 'AAAAAAAAAAAAAAAA',
  ct,
});
const patientBody = (id = randomUUID()) => ({
  id,
  dataKey: env('pk.v1'),
  master: env(),
  blindIndex: { pkVersion: 1, kvnr: 4711, nameDob: 815 },
  directory: env('dir.pk.v1'),
});
/** Two transactions at once need a real server (embedded PGlite runs one at a time). */
const onlyOnPostgres = testPostgresUrl === undefined && 'needs PostgreSQL (TRESOR_TEST_POSTGRES_URL)';

/** Route behaviour of the records module: auth, input checks, concurrency, uploads, erasure rules, retention. */
describe('records routes', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let secondary: AccountSession;

  const raw = (method: string, path: string, token?: string, body?: unknown) =>
    f.raw(method, path, {
      ...(token === undefined ? {} : { token }),
      ...(body === undefined ? {} : { body }),
    });
  const create = async (token: string) => {
    const body = patientBody();
    const res = await raw('POST', '/api/v1/patients', token, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return body.id;
  };
  /** Every request of `bad` is refused with 400 request.invalid. */
  const assertAllInvalid = async (token: string, bad: readonly [string, string, unknown][]) => {
    for (const [method, path, body] of bad) {
      const res = await raw(method, path, token, body);
      assert.deepEqual(
        [res.status, res.code],
        [400, 'request.invalid'],
        `${method} ${path} ${JSON.stringify(body)}`,
      );
    }
  };
  /** Starts the upload of a document of `size` bytes (1 MiB chunks) for patient `id`. @returns its id */
  const startUpload = async (token: string, id: string, size = 100) => {
    const documentId = randomUUID();
    const created = await raw('POST', `/api/v1/patients/${id}/documents`, token, {
      id: documentId,
      meta: env(),
      size,
      chunkSize: MiB,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return documentId;
  };
  const putChunk = async (
    token: string,
    documentId: string,
    index: number,
    bytes: Uint8Array | undefined,
  ) => {
    const res = await fetch(`${f.server.url}/api/v1/documents/${documentId}/chunks/${index}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        ...(bytes === undefined ? {} : { 'content-type': 'application/octet-stream' }),
      },
      ...(bytes === undefined ? {} : { body: bytes as Uint8Array<ArrayBuffer> }),
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return { status: res.status, code: body.error?.code, body };
  };
  const auditActions = () =>
    f.asOwner(async (trx) =>
      (
        await trx
          .selectFrom('audit_entries')
          .select(['action', 'target_id', 'ciphertext_hash'])
          .orderBy('seq')
          .execute()
      ).filter((e) => /^(patient|entry|document)\./.test(e.action)),
    );

  /** Backends of the test database waiting for a row or table lock. */
  const lockWaiters = () =>
    f.asOwner(async (trx) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(trx);
      return rows[0]?.n ?? 0;
    });
  /** Locks the patient row in the owner transaction, as a concurrent writer would. */
  const lockPatient = (id: string) => (trx: Transaction<Schema>) =>
    trx.selectFrom('patients').select('id').where('id', '=', id).forUpdate().execute();
  /**
   * Sends `requests` one after the other while an owner transaction holds what `hold` locked,
   * each once the ones before it wait for a lock, then commits that transaction: a fixed
   * interleaving of concurrent requests.
   */
  const whileLocked = async (
    hold: (trx: Transaction<Schema>) => Promise<unknown>,
    requests: readonly (() => Promise<RawAnswer>)[],
  ): Promise<RawAnswer[]> => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const owner = f.asOwner(async (trx) => {
      await hold(trx);
      locked();
      await released;
    });
    const answers: Promise<RawAnswer>[] = [];
    try {
      await Promise.race([holding, owner]);
      for (const request of requests) {
        answers.push(request());
        for (let tries = 0; (await lockWaiters()) < answers.length; tries++) {
          assert.ok(tries < 500, `request ${answers.length} never waited for a lock`);
          await sleep(10);
        }
      }
    } finally {
      release();
      await owner;
    }
    return Promise.all(answers);
  };

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Dr. Albers', 'k.albers');
    secondary = await f.onboard(primary, 'l.vogt');
  });
  after(() => f.close());

  it('require a signed-in session on every route', async () => {
    const id = randomUUID();
    // Valid bodies, so that only the missing session can be the reason for refusing.
    const update = {
      expectedVersion: 1,
      master: env(),
      blindIndex: { pkVersion: 1, kvnr: null, nameDob: 1 },
      directory: env(),
    };
    const routes: [string, string, unknown][] = [
      ['POST', '/api/v1/patients', patientBody()],
      ['GET', `/api/v1/patients/${id}`, undefined],
      ['PUT', `/api/v1/patients/${id}`, update],
      ['GET', `/api/v1/patients/${id}/versions`, undefined],
      ['PUT', `/api/v1/patients/${id}/index`, { blindIndex: update.blindIndex, directory: env() }],
      ['PUT', `/api/v1/patients/${id}/data-key`, { previous: env('pk.v1'), next: env('pk.v2') }],
      ['GET', '/api/v1/data-keys', undefined],
      ['POST', '/api/v1/patients/lookup', { field: 'kvnr', terms: [{ pkVersion: 1, value: 1 }] }],
      ['GET', '/api/v1/directory', undefined],
      ['GET', `/api/v1/patients/${id}/entries`, undefined],
      ['POST', `/api/v1/patients/${id}/entries`, { id, body: env() }],
      ['POST', `/api/v1/patients/${id}/erase`, { category: 'other' }],
      ['GET', '/api/v1/erasures', undefined],
      ['GET', '/api/v1/retention/expired', undefined],
      ['POST', `/api/v1/patients/${id}/documents`, { id, meta: env(), size: 1, chunkSize: MiB }],
      ['GET', `/api/v1/patients/${id}/documents`, undefined],
      ['GET', `/api/v1/documents/${id}`, undefined],
      ['GET', `/api/v1/documents/${id}/chunks/0`, undefined],
      ['GET', `/api/v1/documents/${id}/content`, undefined],
      ['POST', `/api/v1/documents/${id}/complete`, undefined],
    ];
    for (const [method, path, body] of routes) {
      for (const token of [undefined, 'not-a-valid-session-token-at-all']) {
        const res = await raw(method, path, token, body);
        assert.deepEqual([res.status, res.code], [401, 'auth.unauthenticated'], `${method} ${path}`);
      }
    }
    for (const token of ['', 'Bearer not-a-valid-session-token-at-all']) {
      for (const path of [`/api/v1/documents/${id}/chunks/0`, `/api/v1/documents/${id}/content?from=0`]) {
        const res = await fetch(`${f.server.url}${path}`, {
          method: 'PUT',
          headers: {
            'content-type': 'application/octet-stream',
            ...(token === '' ? {} : { authorization: token }),
          },
          body: new Uint8Array(100),
        });
        assert.equal(res.status, 401, `PUT ${path}`);
      }
    }
    const erasures = await raw('GET', '/api/v1/erasures', secondary.token);
    assert.deepEqual(
      [erasures.status, erasures.code],
      [403, 'auth.forbidden'],
      'the erasure log is for primary users',
    );
  });

  it('refuse malformed input with stable codes and change nothing', async () => {
    const before = await f.snapshot();
    const bad: [string, string, unknown][] = [
      ['POST', '/api/v1/patients', { ...patientBody(), master: 'Anna Meier' }],
      ['POST', '/api/v1/patients', { ...patientBody(), id: 'not-a-uuid' }],
      [
        'POST',
        '/api/v1/patients',
        { ...patientBody(), blindIndex: { pkVersion: 1, kvnr: 65536, nameDob: 1 } },
      ],
      ['POST', '/api/v1/patients', { ...patientBody(), extra: true }],
      ['POST', '/api/v1/patients', { ...patientBody(), dataKey: env('uk') }],
      ['POST', '/api/v1/patients/lookup', { field: 'kvnr', terms: [] }],
      ['POST', '/api/v1/patients/lookup', { field: 'surname', terms: [{ pkVersion: 1, value: 1 }] }],
      ['POST', `/api/v1/patients/${randomUUID()}/erase`, { category: 'bored' }],
      [
        'POST',
        `/api/v1/patients/${randomUUID()}/documents`,
        { id: randomUUID(), meta: env(), size: 1, chunkSize: 4096 },
      ],
    ];
    await assertAllInvalid(primary.token, bad);
    const query = await raw('GET', '/api/v1/directory?since=-1', primary.token);
    assert.deepEqual([query.status, query.code], [400, 'request.invalid']);
    const unknown = randomUUID();
    for (const [method, path, body] of [
      ['GET', `/api/v1/patients/${unknown}`, undefined],
      [
        'PUT',
        `/api/v1/patients/${unknown}`,
        { ...patientBody(), id: undefined, dataKey: undefined, expectedVersion: 1 },
      ],
      ['GET', `/api/v1/patients/${unknown}/entries`, undefined],
      ['POST', `/api/v1/patients/${unknown}/entries`, { id: randomUUID(), body: env() }],
      ['POST', `/api/v1/patients/${unknown}/erase`, { category: 'other' }],
      ['GET', `/api/v1/documents/${unknown}`, undefined],
    ] as const) {
      const res = await raw(method, path, primary.token, body && JSON.parse(JSON.stringify(body)));
      assert.deepEqual([res.status, res.code], [404, 'records.not_found'], `${method} ${path}`);
    }
    assert.equal(await f.snapshot(), before);
  });

  it('refuse ids and numbers the database cannot hold with 400, not a server error', async () => {
    const id = await create(primary.token);
    const before = await f.snapshot();
    const urn = `urn:uuid:${randomUUID()}`; // a uuid to JSON Schema, not to PostgreSQL
    const huge = 3_000_000_000; // beyond PostgreSQL integer
    const index = (pkVersion: number) => ({ pkVersion, kvnr: 1, nameDob: 1 });
    const update = { expectedVersion: 1, master: env(), blindIndex: index(1), directory: env() };
    const bad: [string, string, unknown][] = [
      ['GET', `/api/v1/patients/${urn}`, undefined],
      ['PUT', `/api/v1/patients/${urn}`, update],
      ['GET', `/api/v1/patients/${urn}/entries`, undefined],
      ['GET', `/api/v1/documents/${urn}`, undefined],
      ['POST', '/api/v1/patients', { ...patientBody(), id: urn }],
      ['POST', `/api/v1/patients/${id}/entries`, { id: urn, body: env() }],
      ['GET', `/api/v1/data-keys?after=${urn}`, undefined],
      ['POST', '/api/v1/patients', { ...patientBody(), blindIndex: index(huge) }],
      ['POST', '/api/v1/patients/import', { patients: [{ ...patientBody(), blindIndex: index(huge) }] }],
      ['PUT', `/api/v1/patients/${id}`, { ...update, blindIndex: index(huge) }],
      ['PUT', `/api/v1/patients/${id}/index`, { blindIndex: index(huge), directory: env() }],
      ['POST', '/api/v1/patients/lookup', { field: 'kvnr', terms: [{ pkVersion: huge, value: 1 }] }],
      ['GET', '/api/v1/directory?since=100000000000000000000', undefined],
      ['GET', `/api/v1/directory?since=${Number.MAX_SAFE_INTEGER + 2}`, undefined],
    ];
    await assertAllInvalid(primary.token, bad);
    assert.equal(await f.snapshot(), before, 'refused requests change nothing');
    // The bounds themselves are taken.
    const largest = { ...patientBody(), blindIndex: index(2_147_483_647) };
    assert.equal((await raw('POST', '/api/v1/patients', primary.token, largest)).status, 201);
    const found = await raw('POST', '/api/v1/patients/lookup', primary.token, {
      field: 'kvnr',
      terms: [{ pkVersion: 2_147_483_647, value: 1 }],
    });
    assert.deepEqual(found.body, { ids: [largest.id] });
    const latest = await raw('GET', `/api/v1/directory?since=${Number.MAX_SAFE_INTEGER}`, primary.token);
    assert.deepEqual(latest.body, { changes: [], cursor: Number.MAX_SAFE_INTEGER, more: false });
  });

  it('store versions with optimistic concurrency and audit every change with a ciphertext hash', async () => {
    const id = await create(secondary.token);
    const taken = await raw('POST', '/api/v1/patients', primary.token, { ...patientBody(id) });
    assert.deepEqual([taken.status, taken.code], [409, 'records.id_taken']);
    const update = {
      expectedVersion: 1,
      master: env('dk', 'B'.repeat(40)),
      blindIndex: { pkVersion: 1, kvnr: null, nameDob: 9 },
      directory: env('dir.pk.v1'),
    };
    const v2 = await raw('PUT', `/api/v1/patients/${id}`, primary.token, update);
    assert.equal(v2.status, 200);
    assert.equal((v2.body as { version: number }).version, 2);
    const before = await f.snapshot();
    const stale = await raw('PUT', `/api/v1/patients/${id}`, secondary.token, update);
    assert.deepEqual([stale.status, stale.code], [409, 'records.version_conflict']);
    assert.equal(await f.snapshot(), before, 'a conflicting update changes nothing');
    const history = await raw('GET', `/api/v1/patients/${id}/versions`, secondary.token);
    const versions = (
      history.body as { versions: { version: number; changedBy: string; master: { ct: string } }[] }
    ).versions;
    assert.deepEqual(
      versions.map((v) => [v.version, v.changedBy]),
      [
        [1, secondary.userId],
        [2, primary.userId],
      ],
    );
    assert.equal(versions[1]?.master.ct, 'B'.repeat(40), 'the original and the edit stay readable');
    const lookup = await raw('POST', '/api/v1/patients/lookup', primary.token, {
      field: 'name_dob',
      terms: [{ pkVersion: 1, value: 9 }],
    });
    assert.deepEqual(lookup.body, { ids: [id] });
    const noKvnr = await raw('POST', '/api/v1/patients/lookup', primary.token, {
      field: 'kvnr',
      terms: [{ pkVersion: 1, value: 4711 }],
    });
    assert.ok(!(noKvnr.body as { ids: string[] }).ids.includes(id), 'the kvnr row went with the edit');
    const audit = (await auditActions()).filter((e) => e.target_id === id);
    assert.deepEqual(
      audit.map((e) => e.action),
      ['patient.created', 'patient.updated'],
    );
    assert.ok(audit.every((e) => /^[0-9a-f]{64}$/.test(e.ciphertext_hash ?? '')));
  });

  it("answer blind-index lookups from the caller's practice only, matching field, key version and value", async () => {
    const other = await f.found('Praxis Dr. Lindner', 'm.lindner');
    const withIndex = (kvnr: number, pkVersion = 1) => ({
      ...patientBody(),
      blindIndex: { pkVersion, kvnr, nameDob: 77 },
    });
    const [mine, mineToo, theirs] = [withIndex(31001), withIndex(31002), withIndex(31001)];
    for (const [token, body] of [
      [primary.token, mine],
      [primary.token, mineToo],
      [other.token, theirs],
    ] as const) {
      assert.equal((await raw('POST', '/api/v1/patients', token, body)).status, 201);
    }
    const lookup = async (token: string, field: string, terms: { pkVersion: number; value: number }[]) =>
      ((await raw('POST', '/api/v1/patients/lookup', token, { field, terms })).body as { ids: string[] }).ids;
    const kvnr = (value: number, pkVersion = 1) => ({ pkVersion, value });
    assert.deepEqual(await lookup(primary.token, 'kvnr', [kvnr(31001)]), [mine.id]);
    assert.deepEqual(await lookup(other.token, 'kvnr', [kvnr(31001)]), [theirs.id]);
    assert.deepEqual(
      await lookup(primary.token, 'kvnr', [kvnr(31002), kvnr(31001), kvnr(31001), kvnr(31003)]),
      [mine.id, mineToo.id].sort(),
      'several terms: distinct ids in id order',
    );
    assert.deepEqual(await lookup(primary.token, 'kvnr', [kvnr(31001, 2)]), [], 'another key version');
    assert.deepEqual(await lookup(primary.token, 'name_dob', [kvnr(31001)]), [], 'another field');
  });

  it('import many patients in one transaction, all or none', async () => {
    const [a, b] = [patientBody(), patientBody()];
    const imported = await raw('POST', '/api/v1/patients/import', secondary.token, { patients: [a, b] });
    assert.deepEqual([imported.status, imported.body], [201, { ids: [a.id, b.id] }]);
    const before = await f.snapshot();
    for (const patients of [[patientBody(), a], [b], [patientBody(b.id), patientBody(b.id)]]) {
      const again = await raw('POST', '/api/v1/patients/import', secondary.token, { patients });
      assert.deepEqual([again.status, again.code], [409, 'records.id_taken']);
    }
    assert.equal(await f.snapshot(), before, 'a failed import stores nothing');
    const created = (await auditActions()).filter((e) => e.target_id === a.id || e.target_id === b.id);
    assert.deepEqual(
      created.map((e) => e.action),
      ['patient.created', 'patient.created'],
    );
  });

  it('swap wrapped data keys only when the caller saw the current one', async () => {
    const id = await create(primary.token);
    const next = env('pk.v2', 'C'.repeat(40));
    const wrong = await raw('PUT', `/api/v1/patients/${id}/data-key`, secondary.token, {
      previous: env('pk.v9'),
      next,
    });
    assert.deepEqual(wrong.body, { replaced: false });
    const right = await raw('PUT', `/api/v1/patients/${id}/data-key`, secondary.token, {
      previous: env('pk.v1'),
      next,
    });
    assert.deepEqual(right.body, { replaced: true });
    const page = (await raw('GET', '/api/v1/data-keys?limit=1000', secondary.token)).body as {
      keys: { patientId: string; dataKey: { kid: string } }[];
    };
    assert.equal(page.keys.find((k) => k.patientId === id)?.dataKey.kid, 'pk.v2');
  });

  it('take documents only in chunks of the exact expected size, up to 500 MiB', async () => {
    const id = await create(primary.token);
    const tooLarge = await raw('POST', `/api/v1/patients/${id}/documents`, primary.token, {
      id: randomUUID(),
      meta: env(),
      size: 500 * MiB + 1,
      chunkSize: MiB,
    });
    assert.deepEqual([tooLarge.status, tooLarge.code], [413, 'records.document_too_large']);
    const documentId = randomUUID();
    const size = MiB + 100;
    const created = await raw('POST', `/api/v1/patients/${id}/documents`, secondary.token, {
      id: documentId,
      meta: env(),
      size,
      chunkSize: MiB,
    });
    assert.equal(created.status, 201);
    assert.equal((created.body as { chunkCount: number }).chunkCount, 2);

    const chunk0 = crypto.getRandomValues(new Uint8Array(65536));
    const full = new Uint8Array(MiB + OVERHEAD);
    for (let i = 0; i < full.length; i += chunk0.length)
      full.set(chunk0.subarray(0, Math.min(chunk0.length, full.length - i)), i);
    const cases: [number, Uint8Array | undefined, number, string][] = [
      [2, new Uint8Array(100 + OVERHEAD), 400, 'records.chunk_invalid'], // beyond the last chunk
      [1, new Uint8Array(99 + OVERHEAD), 400, 'records.chunk_invalid'], // one byte short
      [1, new Uint8Array(101 + OVERHEAD), 400, 'records.chunk_invalid'], // one byte long
      [0, new Uint8Array(MiB + OVERHEAD + 1), 413, 'request.too_large'], // over the chunk limit
      [0, undefined, 400, 'records.chunk_invalid'], // no body
    ];
    for (const [index, bytes, status, code] of cases) {
      const res = await putChunk(primary.token, documentId, index, bytes);
      assert.deepEqual([res.status, res.code], [status, code], `chunk ${index} of ${bytes?.length} bytes`);
    }
    const early = await fetch(`${f.server.url}/api/v1/documents/${documentId}/chunks/0`, {
      headers: { authorization: `Bearer ${primary.token}` },
    });
    assert.equal(early.status, 409);
    assert.equal(
      ((await early.json()) as { error: { code: string } }).error.code,
      'records.document_not_ready',
    );
    const earlyContent = await raw('GET', `/api/v1/documents/${documentId}/content`, primary.token);
    assert.deepEqual([earlyContent.status, earlyContent.code], [409, 'records.document_not_ready']);
    assert.equal((await putChunk(primary.token, documentId, 0, full)).status, 200);
    const incomplete = await raw('POST', `/api/v1/documents/${documentId}/complete`, primary.token);
    assert.deepEqual([incomplete.status, incomplete.code], [409, 'records.upload_incomplete']);
    const last = new Uint8Array(100 + OVERHEAD).fill(7);
    assert.equal((await putChunk(secondary.token, documentId, 1, last)).status, 200);
    const done = await raw('POST', `/api/v1/documents/${documentId}/complete`, primary.token);
    assert.equal(done.status, 200);
    assert.deepEqual((done.body as { receivedChunks: number[] }).receivedChunks, [0, 1]);
    const closed = await putChunk(primary.token, documentId, 1, last);
    assert.deepEqual([closed.status, closed.code], [409, 'records.upload_closed']);
    const download = await fetch(`${f.server.url}/api/v1/documents/${documentId}/chunks/1`, {
      headers: { authorization: `Bearer ${secondary.token}` },
    });
    assert.equal(download.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), last);
    const content = async (query: string) =>
      fetch(`${f.server.url}/api/v1/documents/${documentId}/content${query}`, {
        headers: { authorization: `Bearer ${secondary.token}` },
      });
    const whole = await content('');
    assert.equal(whole.headers.get('content-length'), String(full.length + last.length));
    const expected = new Uint8Array(full.length + last.length);
    expected.set(full);
    expected.set(last, full.length);
    assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), expected, 'all chunks back to back');
    assert.deepEqual(new Uint8Array(await (await content('?from=1')).arrayBuffer()), last);
    const beyond = await content('?from=2');
    assert.equal(beyond.status, 400);
    assert.equal(((await beyond.json()) as { error: { code: string } }).error.code, 'records.chunk_invalid');
    const listed = await raw('GET', `/api/v1/patients/${id}/documents`, secondary.token);
    assert.equal((listed.body as { documents: unknown[] }).documents.length, 1);
  });

  it('take runs of whole chunks in one upload request, keeping the whole chunks of a broken one', async () => {
    const id = await create(primary.token);
    const size = 3 * MiB + 10; // four chunks: three full, one of 10 bytes
    const documentId = await startUpload(primary.token, id, size);
    const sealed = [0, 1, 2, 3].map((i) => new Uint8Array((i < 3 ? MiB : 10) + OVERHEAD).fill(i + 1));
    const joined = (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
      parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
      return out;
    };
    const putContent = async (from: number | string, bytes: Uint8Array | undefined) => {
      const res = await fetch(`${f.server.url}/api/v1/documents/${documentId}/content?from=${from}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${primary.token}`,
          ...(bytes === undefined ? {} : { 'content-type': 'application/octet-stream' }),
        },
        ...(bytes === undefined ? {} : { body: bytes as Uint8Array<ArrayBuffer> }),
      });
      const body = (await res.json()) as { error?: { code?: string }; from?: number; count?: number };
      return { status: res.status, code: body.error?.code, body };
    };
    const received = async () =>
      (
        (await raw('GET', `/api/v1/documents/${documentId}`, primary.token)).body as {
          receivedChunks: number[];
        }
      ).receivedChunks;

    const refused: [number | string, Uint8Array | undefined, number, string][] = [
      [4, sealed[3], 400, 'records.chunk_invalid'], // beyond the last chunk
      [-1, sealed[0], 400, 'request.invalid'],
      ['x', sealed[0], 400, 'request.invalid'],
      [0, undefined, 400, 'records.chunk_invalid'], // no body
      [3, joined(sealed[3]!, new Uint8Array(1)), 400, 'records.chunk_invalid'], // one byte past the end
      [2, sealed[3], 400, 'records.chunk_invalid'], // the 38-byte last chunk sent as chunk 2
    ];
    for (const [from, bytes, status, code] of refused) {
      const res = await putContent(from, bytes);
      assert.deepEqual([res.status, res.code], [status, code], `from=${from}, ${bytes?.length} bytes`);
    }
    assert.deepEqual(await received(), [], 'nothing stored by refused requests');

    // A Content-Length that does not end on a chunk boundary is refused before anything is read.
    const misdeclared = await putContent(0, joined(sealed[0]!, sealed[1]!.subarray(0, 1000)));
    assert.deepEqual([misdeclared.status, misdeclared.code], [400, 'records.chunk_invalid']);
    assert.deepEqual(await received(), []);
    // Streamed without a length: chunks 0 and 1 whole, then chunk 2 cut short. The whole ones stay.
    const streamed = await fetch(`${f.server.url}/api/v1/documents/${documentId}/content?from=0`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${primary.token}`, 'content-type': 'application/octet-stream' },
      body: new Blob([joined(sealed[0]!, sealed[1]!, sealed[2]!.subarray(0, 1000))]).stream(),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.headers.get('content-type')?.startsWith('application/json'), true);
    assert.deepEqual(
      [streamed.status, ((await streamed.json()) as { error: { code: string } }).error.code],
      [400, 'records.chunk_invalid'],
    );
    assert.deepEqual(await received(), [0, 1]);
    // The rest in one request; then the whole document reads back as sent.
    const rest = await putContent(2, joined(sealed[2]!, sealed[3]!));
    assert.deepEqual([rest.status, rest.body], [200, { from: 2, count: 2 }]);
    const done = await raw('POST', `/api/v1/documents/${documentId}/complete`, primary.token);
    assert.equal(done.status, 200);
    const content = await fetch(`${f.server.url}/api/v1/documents/${documentId}/content`, {
      headers: { authorization: `Bearer ${primary.token}` },
    });
    assert.deepEqual(new Uint8Array(await content.arrayBuffer()), joined(...sealed));
    const closed = await putContent(0, sealed[0]);
    assert.deepEqual([closed.status, closed.code], [409, 'records.upload_closed']);
  });

  it('refuse chunk bodies that are not application/octet-stream with 415 and store nothing', async () => {
    const id = await create(primary.token);
    const documentId = await startUpload(primary.token, id);
    const before = await f.snapshot();
    const bodies: [string, string][] = [
      ['application/json', '{}'],
      ['application/json', 'null'],
      ['application/json', JSON.stringify('A'.repeat(100 + OVERHEAD))],
      ['text/plain', 'A'.repeat(100 + OVERHEAD)],
      ['text/plain; charset=utf-8', ''],
    ];
    for (const path of [`chunks/0`, `content?from=0`]) {
      for (const [type, body] of bodies) {
        const res = await fetch(`${f.server.url}/api/v1/documents/${documentId}/${path}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${primary.token}`, 'content-type': type },
          body,
        });
        const answer = (await res.json()) as { error?: { code?: string } };
        assert.deepEqual(
          [res.status, answer.error?.code],
          [415, 'request.unsupported_media_type'],
          `PUT ${path} as ${type}: ${body.slice(0, 20)}`,
        );
      }
    }
    assert.equal(await f.snapshot(), before, 'nothing stored');
    const document = await raw('GET', `/api/v1/documents/${documentId}`, primary.token);
    assert.deepEqual((document.body as { receivedChunks: number[] }).receivedChunks, []);
  });

  it('erase records under retention only by a primary user with a reason, and list expired retention', async () => {
    const treated = await create(primary.token);
    const fresh = await create(primary.token);
    const entry = await raw('POST', `/api/v1/patients/${treated}/entries`, secondary.token, {
      id: randomUUID(),
      body: env(),
    });
    assert.equal(entry.status, 201);
    const patient = (await raw('GET', `/api/v1/patients/${treated}`, secondary.token)).body as {
      retentionUntil: string;
    };
    assert.equal(patient.retentionUntil, `${new Date(f.clock.now()).getUTCFullYear() + 10}-12-31`);

    const before = await f.snapshot();
    const bySecondary = await raw('POST', `/api/v1/patients/${treated}/erase`, secondary.token, {
      category: 'patient_request',
      reason: env('pk.v1'),
    });
    assert.deepEqual([bySecondary.status, bySecondary.code], [403, 'records.retention_active']);
    const noReason = await raw('POST', `/api/v1/patients/${treated}/erase`, primary.token, {
      category: 'patient_request',
    });
    assert.deepEqual([noReason.status, noReason.code], [400, 'records.erasure_reason_required']);
    assert.equal(await f.snapshot(), before, 'refused erasures change nothing');

    // A patient without treatment is not under retention: any member may erase on request.
    const freshErased = await raw('POST', `/api/v1/patients/${fresh}/erase`, secondary.token, {
      category: 'consent_withdrawn',
    });
    assert.equal(freshErased.status, 200);

    assert.deepEqual((await raw('GET', '/api/v1/retention/expired', secondary.token)).body, { records: [] });
    await f.asOwner((trx) =>
      trx.updateTable('patients').set({ retention_until: '2020-12-31' }).where('id', '=', treated).execute(),
    );
    assert.deepEqual((await raw('GET', '/api/v1/retention/expired', secondary.token)).body, {
      records: [{ id: treated, retentionUntil: '2020-12-31' }],
    });
    const expired = await raw('POST', `/api/v1/patients/${treated}/erase`, secondary.token, {
      category: 'retention_expired',
    });
    assert.equal(expired.status, 200);

    const gone = await f.asOwner(async (trx) => ({
      patients: await trx.selectFrom('patients').select('id').where('id', 'in', [treated, fresh]).execute(),
      versions: await trx
        .selectFrom('patient_versions')
        .select('version')
        .where('patient_id', 'in', [treated, fresh])
        .execute(),
      entries: await trx
        .selectFrom('clinical_entries')
        .select('id')
        .where('patient_id', 'in', [treated, fresh])
        .execute(),
      index: await trx
        .selectFrom('patient_blind_index')
        .select('field')
        .where('patient_id', 'in', [treated, fresh])
        .execute(),
      directory: await trx
        .selectFrom('directory_entries')
        .select('entry')
        .where('patient_id', 'in', [treated, fresh])
        .execute(),
    }));
    assert.deepEqual(gone, {
      patients: [],
      versions: [],
      entries: [],
      index: [],
      directory: [{ entry: null }, { entry: null }],
    });
    const erasures = (await raw('GET', '/api/v1/erasures', primary.token)).body as {
      erasures: { patientId: string; category: string; underRetention: boolean }[];
    };
    assert.deepEqual(
      erasures.erasures.map((e) => [e.patientId, e.category, e.underRetention]),
      [
        [fresh, 'consent_withdrawn', false],
        [treated, 'retention_expired', false],
      ],
    );
    const audit = (await auditActions()).filter((e) => e.action === 'patient.erased').map((e) => e.target_id);
    assert.deepEqual(audit, [fresh, treated]);
  });

  it("never give an erased record's id to a new one, by create or import", async () => {
    const id = await create(primary.token);
    const erased = await raw('POST', `/api/v1/patients/${id}/erase`, secondary.token, {
      category: 'created_in_error',
    });
    assert.equal(erased.status, 200);
    const before = await f.snapshot();
    const created = await raw('POST', '/api/v1/patients', secondary.token, patientBody(id));
    assert.deepEqual([created.status, created.code], [409, 'records.id_erased']);
    const imported = await raw('POST', '/api/v1/patients/import', primary.token, {
      patients: [patientBody(), patientBody(id)],
    });
    assert.deepEqual([imported.status, imported.code], [409, 'records.id_erased']);
    assert.equal(await f.snapshot(), before, 'nothing stored; the tombstone and erasure log stay');
    const again = await raw('POST', `/api/v1/patients/${id}/erase`, primary.token, { category: 'other' });
    assert.deepEqual([again.status, again.code], [404, 'records.not_found']);
  });

  it(
    'refuse the id of a record being erased once its erasure commits',
    { skip: onlyOnPostgres },
    async () => {
      const id = await create(primary.token);
      // The erasure deletes the patient, then waits for the directory head this transaction holds;
      // the create's insert waits for the deleted row until the erasure commits.
      const [erased, created] = await whileLocked(
        (trx) => trx.selectFrom('directory_heads').select('seq').forUpdate().execute(),
        [
          () => raw('POST', `/api/v1/patients/${id}/erase`, primary.token, { category: 'duplicate' }),
          () => raw('POST', '/api/v1/patients', secondary.token, patientBody(id)),
        ],
      );
      assert.equal(erased!.status, 200);
      assert.deepEqual([created!.status, created!.code], [409, 'records.id_erased']);
      assert.deepEqual((await raw('GET', `/api/v1/patients/${id}`, primary.token)).code, 'records.not_found');
    },
  );

  it('erase a record that reused an erased id (stored before ids were checked), keeping the first erasure', async () => {
    const id = await create(primary.token);
    // What the server let through before: the id was erased once, then created again.
    await f.asOwner((trx) =>
      trx
        .insertInto('patient_erasures')
        .columns(['practice_id', 'patient_id', 'erased_by', 'category', 'under_retention'])
        .expression((eb) =>
          eb
            .selectFrom('patients')
            .select([
              'practice_id',
              'id',
              'created_by',
              eb.val('created_in_error').as('category'),
              eb.val(false).as('under_retention'),
            ])
            .where('id', '=', id),
        )
        .execute(),
    );
    const erased = await raw('POST', `/api/v1/patients/${id}/erase`, primary.token, {
      category: 'duplicate',
    });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.deepEqual((await raw('GET', `/api/v1/patients/${id}`, primary.token)).code, 'records.not_found');
    const log = (await raw('GET', '/api/v1/erasures', primary.token)).body as {
      erasures: { patientId: string; category: string }[];
    };
    assert.deepEqual(
      log.erasures.filter((e) => e.patientId === id).map((e) => e.category),
      ['created_in_error'],
    );
    const audit = (await auditActions()).filter((e) => e.target_id === id).map((e) => e.action);
    assert.deepEqual(audit, ['patient.created', 'patient.erased']);
  });

  it(
    'start no upload for a patient being erased: 404, not a foreign-key failure',
    { skip: onlyOnPostgres },
    async () => {
      const id = await create(primary.token);
      const documentId = randomUUID();
      const [erased, started] = await whileLocked(lockPatient(id), [
        () => raw('POST', `/api/v1/patients/${id}/erase`, primary.token, { category: 'patient_request' }),
        () =>
          raw('POST', `/api/v1/patients/${id}/documents`, primary.token, {
            id: documentId,
            meta: env(),
            size: 100,
            chunkSize: MiB,
          }),
      ]);
      assert.equal(erased!.status, 200);
      assert.deepEqual([started!.status, started!.code], [404, 'records.not_found']);
      const left = await f.asOwner((trx) =>
        trx.selectFrom('documents').select('id').where('id', '=', documentId).execute(),
      );
      assert.deepEqual(left, []);
    },
  );

  it(
    'complete an upload while its patient is being erased without a deadlock',
    { skip: onlyOnPostgres },
    async () => {
      const id = await create(primary.token);
      const documentId = await startUpload(primary.token, id);
      assert.equal(
        (await putChunk(primary.token, documentId, 0, new Uint8Array(100 + OVERHEAD))).status,
        200,
      );
      // The erasure waits for the patient first, the completion second: before, the completion held
      // the document's lock while waiting for the patient the erasure held (deadlock, 500).
      const [erased, completed] = await whileLocked(lockPatient(id), [
        () => raw('POST', `/api/v1/patients/${id}/erase`, primary.token, { category: 'patient_request' }),
        () => raw('POST', `/api/v1/documents/${documentId}/complete`, primary.token),
      ]);
      assert.equal(erased!.status, 200, JSON.stringify(erased!.body));
      assert.deepEqual([completed!.status, completed!.code], [404, 'records.not_found']);
      const left = await f.asOwner(async (trx) => ({
        patients: await trx.selectFrom('patients').select('id').where('id', '=', id).execute(),
        documents: await trx.selectFrom('documents').select('id').where('id', '=', documentId).execute(),
      }));
      assert.deepEqual(left, { patients: [], documents: [] });
    },
  );

  it('serve the directory as a change feed with a cursor and tombstones', async () => {
    const first = (await raw('GET', '/api/v1/directory?limit=2', primary.token)).body as {
      changes: { seq: number }[];
      cursor: number;
      more: boolean;
    };
    assert.equal(first.changes.length, 2);
    assert.equal(first.more, true);
    let cursor = first.cursor;
    let all = first.changes.length;
    for (;;) {
      const page = (await raw('GET', `/api/v1/directory?since=${cursor}&limit=2`, primary.token))
        .body as typeof first;
      all += page.changes.length;
      assert.ok(page.changes.every((c) => c.seq > cursor));
      cursor = page.cursor;
      if (!page.more) break;
    }
    const id = await create(secondary.token);
    const next = (await raw('GET', `/api/v1/directory?since=${cursor}`, primary.token)).body as {
      changes: { patientId: string; entry: unknown }[];
    };
    assert.deepEqual(
      next.changes.map((c) => c.patientId),
      [id],
    );
    assert.ok(all >= 5);
  });
});
