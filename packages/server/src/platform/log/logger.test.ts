import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createLogger, isSecretField, redactQuery } from './logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', sink), text: () => lines.join(''), lines };
}

it('redacts credentials, tokens, keys and ciphertext from log lines', () => {
  const { logger, text } = capture();
  logger.info(
    {
      req: { headers: { authorization: 'Bearer s3cr3t-token', cookie: 'sid=abc' } },
      body: { password: 'hunter2', token: 'tok', key: 'k3y', ciphertext: 'ct', name: 'visible' },
    },
    'request',
  );
  const line = text();
  for (const secret of ['s3cr3t-token', 'sid=abc', 'hunter2', '"tok"', 'k3y', '"ct"']) {
    assert.ok(!line.includes(secret), `log line leaks ${secret}: ${line}`);
  }
  assert.ok(line.includes('visible'));
  assert.ok(line.includes('[redacted]'));
});

it('redacts secret fields at the top level and at any depth, in objects and arrays', () => {
  const { logger, text } = capture();
  logger.info(
    {
      token: 'TOP-TOKEN',
      password: 'TOP-PASSWORD',
      body: {
        user: { password: 'NESTED-PASSWORD', privateKeys: { ct: 'WRAPPED-1' }, name: 'dr.visible' },
        devices: [{ sessionToken: 'ARRAY-TOKEN', deviceId: 'device-visible' }],
        a: { b: { c: { d: { passphrase: 'DEEP-PASSPHRASE' } } } },
      },
      headers: {
        Authorization: 'Bearer RAW-HEADER',
        'x-tresor-agent-token': 'AGENT-TOKEN',
        'set-cookie': 'sid=COOKIE',
      },
      opaque: { registrationRecord: 'OPAQUE-RECORD', finishLoginRequest: 'OPAQUE-FINISH' },
      envelope: { ct: 'ENVELOPE-CT', nonce: 'n-visible' },
      keys: [{ dataKey: 'DATA-KEY' }],
      DATABASE_URL: 'postgres://u:DB-PASSWORD@h/db',
      endpoint: new URL('postgres://u:URL-PASSWORD@h/db'),
      publicKey: 'public-visible',
      count: 3,
    },
    'nested',
  );
  const line = text();
  for (const secret of [
    'TOP-TOKEN',
    'TOP-PASSWORD',
    'NESTED-PASSWORD',
    'WRAPPED-1',
    'ARRAY-TOKEN',
    'DEEP-PASSPHRASE',
    'RAW-HEADER',
    'AGENT-TOKEN',
    'COOKIE',
    'OPAQUE-RECORD',
    'OPAQUE-FINISH',
    'ENVELOPE-CT',
    'DATA-KEY',
    'DB-PASSWORD',
    'URL-PASSWORD',
  ]) {
    assert.ok(!line.includes(secret), `log line leaks ${secret}: ${line}`);
  }
  for (const visible of ['dr.visible', 'device-visible', 'n-visible', 'public-visible', '"count":3']) {
    assert.ok(line.includes(visible), `log line lost ${visible}: ${line}`);
  }
});

it('leaves the logged object itself untouched', () => {
  const { logger } = capture();
  const object = { body: { password: 'kept' } };
  logger.info(object, 'x');
  assert.equal(object.body.password, 'kept');
});

it('logs an error as type, message, code and stack only, wherever it sits', () => {
  const { logger, lines } = capture();
  // What PGlite and pg attach to a failed statement: the statement and what the client sent.
  const error = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
    code: '22021',
    severity: 'ERROR',
    query: 'insert into "x" ("wrapped") values ($1)',
    params: ['WRAPPED-KEY-PARAM'],
    detail: 'Key (name)=(DETAIL-VALUE) already exists.',
    where: 'unnamed portal parameter $1 = WHERE-VALUE',
    internalQuery: 'INTERNAL-QUERY',
    rawPacket: Buffer.from('RAW-PACKET'),
  });
  logger.error({ err: error }, 'request failed');
  logger.error({ failure: { error } }, 'nested');
  logger.error(error);
  assert.equal(lines.length, 3);
  for (const line of lines) {
    for (const leak of [
      'WRAPPED-KEY-PARAM',
      'DETAIL-VALUE',
      'WHERE-VALUE',
      'INTERNAL-QUERY',
      'insert into',
      'ERROR',
    ]) {
      assert.ok(!line.includes(leak), `log line leaks ${leak}: ${line}`);
    }
  }
  const logged = JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown> };
  assert.deepEqual(Object.keys(logged.err).sort(), ['code', 'message', 'stack', 'type']);
  assert.equal(logged.err.code, '22021');
  assert.equal(logged.err.type, 'Error');
  assert.match(String(logged.err.message), /invalid byte sequence/);
  assert.match(String(logged.err.stack), /logger\.test\.ts/);
});

it('redacts secret query parameters in logged URLs, keeping the others', () => {
  assert.equal(redactQuery('/api/v1/info'), '/api/v1/info');
  assert.equal(
    redactQuery('/api/v1/x?token=SECRET&limit=5&Session_Token=S2&%74oken=S3'),
    '/api/v1/x?token=[redacted]&limit=5&Session_Token=[redacted]&%74oken=[redacted]',
  );
  const { logger, text } = capture();
  logger.info(
    { req: { method: 'GET', url: '/api/v1/x?password=PW&after=3', headers: { cookie: 'C' } } },
    'in',
  );
  assert.ok(!text().includes('PW') && !text().includes('"C"'), text());
  assert.ok(text().includes('after=3'), text());
});

it('knows which field names are secret', () => {
  for (const name of [
    'password',
    'newPassword',
    'loginToken',
    'x-tresor-agent-token',
    'signingKey',
    'keys',
  ]) {
    assert.ok(isSecretField(name), name);
  }
  for (const name of ['practiceId', 'publicKey', 'signingPublicKey', 'keyVersions', 'code', 'message']) {
    assert.ok(!isSecretField(name), name);
  }
});
