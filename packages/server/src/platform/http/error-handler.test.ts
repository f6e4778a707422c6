import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { AppError } from '../app-error.js';
import { createLogger } from '../log/logger.js';
import { classifyError, createClientErrorHandler, handleError } from './error-handler.js';
import { OCTET_STREAM, acceptRawBodies } from './raw-body.js';

/** An error as the PostgreSQL driver throws it. */
function databaseError(code: string, message: string): Error {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'ERROR';
  return error;
}

it('answers a transaction that lost a race with a concurrent one with a retryable 409', async () => {
  const deadlock = databaseError('40P01', 'deadlock detected');
  const raced = [
    deadlock,
    databaseError('40001', 'could not serialize access due to concurrent update'),
    databaseError('23503', 'insert or update on table "documents" violates foreign key constraint'),
  ];
  for (const error of raced) assert.equal(classifyError(error).code, 'request.conflict', error.message);

  const app = Fastify();
  app.setErrorHandler(handleError);
  app.get('/raced', () => {
    throw deadlock;
  });
  const res = await app.inject({ method: 'GET', url: '/raced' });
  await app.close();
  assert.equal(res.statusCode, 409);
  const body = res.json<{ error: { code: string; message: string } }>();
  assert.equal(body.error.code, 'request.conflict');
  assert.match(body.error.message, /try again/);
  assert.ok(!res.body.includes('deadlock'), 'the database message stays in the log');
});

it('keeps other database failures and unknown errors internal (500), and app errors as they are', () => {
  for (const error of [
    databaseError('23505', 'duplicate key value violates unique constraint'),
    databaseError('22012', 'division by zero'),
    new Error('something broke'),
  ]) {
    assert.equal(classifyError(error).code, 'server.internal', error.message);
  }
  assert.equal(classifyError(new AppError('records.id_erased')).code, 'records.id_erased');
});

it('answers a full disk or quota (ENOSPC, EDQUOT, EFBIG, PostgreSQL 53100) with 507 server.storage_full', async () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  for (const error of [
    full,
    Object.assign(new Error('EDQUOT: disk quota exceeded'), { code: 'EDQUOT' }),
    Object.assign(new Error('EFBIG: file too large'), { code: 'EFBIG' }),
    databaseError('53100', 'could not extend file: No space left on device'),
  ]) {
    assert.equal(classifyError(error).code, 'server.storage_full', error.message);
  }
  const app = Fastify();
  app.setErrorHandler(handleError);
  app.put('/blob', () => {
    throw full;
  });
  const res = await app.inject({ method: 'PUT', url: '/blob' });
  await app.close();
  assert.equal(res.statusCode, 507);
  assert.equal(res.json<{ error: { code: string } }>().error.code, 'server.storage_full');
  assert.ok(!res.body.includes('ENOSPC'), 'the system error stays in the log');
});

it('answers values the database refuses to store (NUL, too long, malformed) with 400 request.invalid', async () => {
  const refused = [
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00', /U\+0000/],
    ['22P05', 'unsupported Unicode escape sequence', /U\+0000/],
    ['22001', 'value too long for type character varying(64)', /too long/],
    ['22P02', 'invalid input syntax for type uuid: "urn:uuid:x"', /expected form/],
    ['22003', 'integer out of range', /out of range/],
    ['22007', 'invalid input syntax for type timestamp', /date or time/],
    ['22008', 'date/time field value out of range', /date or time/],
  ] as const;
  for (const [code, message, expected] of refused) {
    const classified = classifyError(databaseError(code, message));
    assert.equal(classified.code, 'request.invalid', code);
    assert.match(classified.message, expected, code);
    assert.ok(!classified.message.includes('urn:uuid'), 'the value is never echoed');
  }
  const app = Fastify();
  app.setErrorHandler(handleError);
  app.get('/nul', () => {
    throw databaseError('22021', 'invalid byte sequence for encoding "UTF8": 0x00');
  });
  const res = await app.inject({ method: 'GET', url: '/nul' });
  await app.close();
  assert.equal(res.statusCode, 400);
  assert.equal(res.json<{ error: { code: string } }>().error.code, 'request.invalid');
});

/** A Fastify app with the error handlers and the real logger writing into `lines`. */
function loggedApp(lines: string[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger: FastifyBaseLogger = createLogger('info', sink);
  const app = Fastify({ loggerInstance: logger, clientErrorHandler: createClientErrorHandler(logger, {}) });
  app.setErrorHandler(handleError);
  return app;
}

it('logs a client that breaks off its upload as a client abort (info), not as a server error', async () => {
  // A reset connection, and one closed mid-body (which Node's parser also reports).
  for (const abort of ['reset', 'close'] as const) {
    const lines: string[] = [];
    const app = loggedApp(lines);
    acceptRawBodies(app);
    let failed!: () => void;
    const handled = new Promise<void>((resolve) => (failed = resolve));
    app.addHook('onError', async () => {
      failed();
    });
    app.put('/upload', async (request) => {
      let bytes = 0;
      for await (const chunk of request.body as AsyncIterable<Buffer>) bytes += chunk.length;
      return { bytes };
    });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    socket.write(
      `PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${OCTET_STREAM}\r\nContent-Length: 1000000\r\n\r\n`,
    );
    socket.write(Buffer.alloc(1000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (abort === 'reset') socket.resetAndDestroy();
    else socket.destroy();
    await handled;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await app.close();
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string });
    assert.deepEqual(
      logged.filter((entry) => entry.level >= 40 || entry.msg.includes('malformed')),
      [],
      `${abort}: nothing at warn or error, and not called malformed`,
    );
    const aborted = logged.find((entry) => entry.msg === 'client aborted the request');
    assert.equal(aborted?.level, 30, abort);
    assert.equal(aborted.reason, 'ECONNRESET');
  }
});
