import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createLogger } from './logger.js';

it('redacts credentials, tokens, keys and ciphertext from log lines', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('info', sink);
  logger.info(
    {
      req: { headers: { authorization: 'Bearer s3cr3t-token', cookie: 'sid=abc' } },
      body: { password: 'hunter2', token: 'tok', key: 'k3y', ciphertext: 'ct', name: 'visible' },
    },
    'request',
  );
  const line = lines.join('');
  for (const secret of ['s3cr3t-token', 'sid=abc', 'hunter2', '"tok"', 'k3y', '"ct"']) {
    assert.ok(!line.includes(secret), `log line leaks ${secret}: ${line}`);
  }
  assert.ok(line.includes('visible'));
  assert.ok(line.includes('[redacted]'));
});
