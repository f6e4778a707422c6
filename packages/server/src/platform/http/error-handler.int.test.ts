import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../app.js';
import { loadConfig } from '../../config/config.js';
import { migrations } from '../../migrations/index.js';
import { createTestStorage, type TestStorage } from '../../testing/test-storage.js';
import { FsBlobStore } from '../blob/fs-blob-store.js';
import { type Database, openDatabase } from '../db/database.js';
import { createLogger } from '../log/logger.js';

const PRACTICE = '6f1c1d7e-0a4b-4c2e-9d53-4c1f0f9a00e1';
const probesUrl = `/api/v1/diagnostics/practices/${PRACTICE}/probes`;

interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

describe('error handler on the real app and database', () => {
  let storage: TestStorage;
  let database: Database;
  let app: FastifyInstance;
  const lines: string[] = [];
  const logged = () => lines.map((line) => JSON.parse(line) as LogEntry);

  before(async () => {
    storage = await createTestStorage();
    const config = loadConfig({
      TRESOR_DATA_DIR: storage.dataDir,
      ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
      TRESOR_DIAGNOSTICS: 'true',
    });
    database = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      migrations,
      mode: 'migrate',
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await buildApp({
      config,
      database,
      blobs: await FsBlobStore.open(join(config.dataDir, 'blobs')),
      logger: createLogger('info', sink),
      version: '0.0.0-test',
    });
    // A statement that fails in the database with a parameter the client sent.
    app.post('/test/database-failure', async () => {
      await sql`select ${'WRAPPED-KEY-OF-THE-CLIENT'}::text, 1 / ${0}::int`.execute(database.db);
      return {};
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await database.close();
    await storage.dispose();
  });

  it('refuses a NUL character in a text field with 400 request.invalid and stores nothing', async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'POST', url: probesUrl, payload: { body: 'SECRET\u0000TEXT' } });
    assert.equal(res.statusCode, 400, res.body);
    const { error } = res.json<{ error: { code: string; message: string; requestId: string } }>();
    assert.equal(error.code, 'request.invalid');
    assert.match(error.message, /U\+0000/);
    assert.equal(error.requestId, res.headers['x-request-id']);
    const list = await app.inject({ method: 'GET', url: probesUrl });
    assert.deepEqual(list.json(), { probes: [] });

    const entries = logged();
    const rejected = entries.find((entry) => entry.msg === 'request rejected by the database');
    assert.equal(rejected?.level, 30);
    assert.equal(rejected.sqlState, '22021');
    assert.ok(!entries.some((entry) => entry.level >= 50), 'not logged as a server error');
    assert.ok(!lines.join('').includes('SECRET'), 'the value is not logged');
  });

  it('logs a failed statement (5xx) with its SQLSTATE but without the statement or its parameters', async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'POST', url: '/test/database-failure' });
    assert.equal(res.statusCode, 500);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'server.internal');
    assert.ok(!res.body.includes('division'), 'the database message stays in the log');
    const failure = logged().find((entry) => entry.msg === 'request failed');
    assert.ok(failure, lines.join(''));
    const err = failure.err as Record<string, unknown>;
    assert.deepEqual(Object.keys(err).sort(), ['code', 'message', 'stack', 'type']);
    assert.equal(err.code, '22012');
    assert.match(String(err.message), /division by zero/);
    for (const leak of ['WRAPPED-KEY-OF-THE-CLIENT', 'select ', '"params"', '"query"']) {
      assert.ok(!lines.join('').includes(leak), `the log leaks ${leak}: ${lines.join('')}`);
    }
  });
});
