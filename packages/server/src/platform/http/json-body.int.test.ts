import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestApp, createTestApp } from '../../testing/test-app.js';

const PRACTICE = '6f1c1d7e-0a4b-4c2e-9d53-4c1f0f9a00e2';
const probesUrl = `/api/v1/diagnostics/practices/${PRACTICE}/probes`;
const PATIENT = '6f1c1d7e-0a4b-4c2e-9d53-4c1f0f9a00e3';

interface ErrorAnswer {
  error: { code: string; message: string };
}

describe('JSON request bodies: well-formed Unicode and finite numbers only', () => {
  let testApp: TestApp;
  const post = (url: string, payload: string | Buffer) =>
    testApp.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
  const probes = async () =>
    (await testApp.app.inject({ method: 'GET', url: probesUrl })).json<{ probes: { body: string }[] }>()
      .probes;

  before(async () => {
    testApp = await createTestApp();
  });
  after(() => testApp.close());

  it('refuses a body that is not UTF-8 with 400 request.invalid_json, storing nothing', async () => {
    const res = await post(
      probesUrl,
      Buffer.concat([Buffer.from('{"body":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]),
    );
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<ErrorAnswer>().error.code, 'request.invalid_json');
    assert.match(res.json<ErrorAnswer>().error.message, /not UTF-8/);
    assert.deepEqual(await probes(), []);
  });

  it('refuses a lone UTF-16 surrogate in a string or a key with 400 request.invalid', async () => {
    for (const payload of ['{"body":"a\\ud800b"}', '{"body":"a\\uDC00"}', '{"body":"x","\\ud800":1}']) {
      const res = await post(probesUrl, payload);
      assert.equal(res.statusCode, 400, `${payload}: ${res.body}`);
      assert.equal(res.json<ErrorAnswer>().error.code, 'request.invalid');
      assert.match(res.json<ErrorAnswer>().error.message, /lone UTF-16 surrogate/);
    }
    assert.deepEqual(await probes(), []);
  });

  it('stores surrogate pairs, escaped or not, and a literal backslash-u exactly as sent', async () => {
    for (const [payload, stored] of [
      ['{"body":"\\ud83d\\ude00 Praxis"}', '😀 Praxis'],
      ['{"body":"😀 Ärztin"}', '😀 Ärztin'],
      ['{"body":"\\\\ud800"}', '\\ud800'],
    ] as const) {
      const res = await post(probesUrl, payload);
      assert.equal(res.statusCode, 201, `${payload}: ${res.body}`);
      assert.equal(res.json<{ body: string }>().body, stored);
    }
    assert.deepEqual(
      (await probes()).map((p) => p.body).sort(),
      ['\\ud800', '😀 Praxis', '😀 Ärztin'].sort(),
    );
  });

  it('still refuses __proto__ and constructor.prototype (Fastify’s parser)', async () => {
    for (const payload of ['{"body":"x","__proto__":{"a":1}}', '{"constructor":{"prototype":{"a":1}}}']) {
      const res = await post(probesUrl, payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json<ErrorAnswer>().error.code, 'request.invalid_json');
    }
    const empty = await post(probesUrl, '');
    assert.equal(empty.json<ErrorAnswer>().error.code, 'request.invalid_json');
  });

  it('refuses a number beyond the double range (Infinity once parsed) by validation, before auth', async () => {
    const envelope = { v: 1, alg: 'A256GCM', kid: 'dk', nonce: 'AAAA', ct: 'AAAA' };
    const body = JSON.stringify({ id: PATIENT, meta: envelope, size: 0, chunkSize: 1048576 });
    const res = await post(`/api/v1/patients/${PATIENT}/documents`, body.replace('"size":0', '"size":1e309'));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<ErrorAnswer>().error.code, 'request.invalid');
    assert.match(res.json<ErrorAnswer>().error.message, /size/);
  });

  it('refuses an expected patient version beyond the stored range as invalid, not as a conflict', async () => {
    const envelope = { v: 1, alg: 'A256GCM', kid: 'dk', nonce: 'AAAA', ct: 'AAAA' };
    const res = await testApp.app.inject({
      method: 'PUT',
      url: `/api/v1/patients/${PATIENT}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        expectedVersion: 1,
        master: envelope,
        blindIndex: { pkVersion: 1, kvnr: null, nameDob: 1 },
        directory: envelope,
      }).replace('"expectedVersion":1', '"expectedVersion":9223372036854775808'),
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json<ErrorAnswer>().error.code, 'request.invalid');
    assert.match(res.json<ErrorAnswer>().error.message, /expectedVersion/);
  });
});
