import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BODY_LIMIT_BYTES } from './app.js';
import { migrations } from './migrations/index.js';
import { createTestApp, type TestApp } from './testing/test-app.js';

const PRACTICE = '6f1c1d7e-0a4b-4c2e-9d53-4c1f0f9a0001';
const probesUrl = `/api/v1/diagnostics/practices/${PRACTICE}/probes`;

describe('HTTP edge', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('answers liveness and readiness', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', database: 'ok', migrations: 'current' });
  });

  it('reports name, version, storage and schema version from the database', async () => {
    const info = await t.app.inject({ method: 'GET', url: '/api/v1/info' });
    assert.equal(info.statusCode, 200);
    assert.deepEqual(info.json(), {
      name: 'Tresor',
      version: '0.0.0-test',
      storage: t.storage.kind,
      schemaVersion: Object.keys(migrations).sort().at(-1),
    });
  });

  it('refuses malformed JSON with 400 request.invalid_json', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: probesUrl,
      headers: { 'content-type': 'application/json' },
      payload: '{"body": ',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'request.invalid_json');
    assert.match(res.json().error.requestId, /^[0-9a-f-]{36}$/);
  });

  it('refuses a schema violation with 400 request.invalid naming the field, without coercion', async () => {
    const res = await t.app.inject({ method: 'POST', url: probesUrl, payload: { body: 5 } });
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, 'request.invalid');
    assert.match(error.message, /body.*\/body/);
    const extra = await t.app.inject({ method: 'POST', url: probesUrl, payload: { body: 'x', admin: true } });
    assert.equal(extra.statusCode, 400);
    assert.match(extra.json().error.message, /additional properties/);
    const badId = await t.app.inject({
      method: 'GET',
      url: '/api/v1/diagnostics/practices/not-a-uuid/probes',
    });
    assert.equal(badId.statusCode, 400);
    assert.match(badId.json().error.message, /practiceId/);
  });

  it('answers unknown routes with 404 JSON', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/nope'],
      ['DELETE', '/healthz'],
      ['GET', '/no/such/page'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { accept: 'application/json' } });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().error.code, 'request.not_found');
    }
  });

  it('refuses bodies over the limit with 413 and stores nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: probesUrl,
      payload: { body: 'x'.repeat(BODY_LIMIT_BYTES + 1) },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'request.too_large');
    const list = await t.app.inject({ method: 'GET', url: probesUrl });
    assert.deepEqual(list.json(), { probes: [] });
  });

  it('refuses unsupported content types with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: probesUrl,
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'request.unsupported_media_type');
  });

  it('writes and reads through the tenant transaction', async () => {
    const created = await t.app.inject({ method: 'POST', url: probesUrl, payload: { body: 'hello' } });
    assert.equal(created.statusCode, 201);
    const { id } = created.json();
    const read = await t.app.inject({ method: 'GET', url: `${probesUrl}/${id}` });
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().body, 'hello');
    const other = await t.app.inject({
      method: 'GET',
      url: `/api/v1/diagnostics/practices/6f1c1d7e-0a4b-4c2e-9d53-4c1f0f9a0002/probes/${id}`,
    });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().error.code, 'diagnostics.not_found');
  });

  it('sets a request id and security headers on every response', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  });

  it('exports Prometheus metrics including per-route latency', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /tresor_http_request_duration_seconds_bucket\{.*route="\/healthz"/);
    assert.match(res.body, /tresor_process_cpu_seconds_total/);
  });

  it('serves an OpenAPI document generated from the route schemas, and its UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/readyz']);
    assert.ok(doc.paths['/api/v1/info'].get.responses['200']);
    const ui = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  it('never answers with a stack trace', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: probesUrl,
      payload: '[',
      headers: { 'content-type': 'application/json' },
    });
    assert.ok(!res.body.includes('    at '), res.body);
  });
});

describe('rate limit', () => {
  it('answers 429 request.rate_limited past the configured rate, but never on health checks', async () => {
    const t = await createTestApp({ TRESOR_RATE_LIMIT: '3' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push((await t.app.inject({ method: 'GET', url: '/api/v1/info' })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 429, 429]);
      const limited = await t.app.inject({ method: 'GET', url: '/api/v1/info' });
      assert.equal(limited.json().error.code, 'request.rate_limited');
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      await t.close();
    }
  });
});
