import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BODY_LIMIT_BYTES, MAX_PARAM_LENGTH } from './app.js';
import { migrations } from './migrations/index.js';
import { createTestApp, type TestApp } from './testing/test-app.js';

const PRACTICE = '6f1c1d7e-0a4b-4c2e-9d53-4c1f0f9a0001';
const probesUrl = `/api/v1/diagnostics/practices/${PRACTICE}/probes`;

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends `request` as is on a new connection and reads the answer until the server closes it. */
async function rawRequest(url: string, request: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(received);
    });
    socket.setTimeout(10_000, () => {
      socket.destroy(new Error('no answer'));
    });
  });
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** A contract error body whose request id is the response's `x-request-id`, with security headers. */
function assertContractError(res: RawResponse, status: number, code: string): { message: string } {
  assert.equal(res.status, status, `${res.status} ${res.body}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  const { error } = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string } };
  assert.equal(error.code, code, res.body);
  assert.match(error.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(res.headers['x-request-id'], error.requestId);
  assert.match(res.headers['content-security-policy'] ?? '', /default-src 'self'.*frame-ancestors 'none'/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.ok(!res.body.includes('FST_ERR'), res.body);
  return error;
}

describe('HTTP edge', () => {
  let t: TestApp;
  /** The same app on a loopback port, for what only a real connection can send. */
  let url: string;
  before(async () => {
    t = await createTestApp();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
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

  it('answers a malformed URL with the contract error, never echoing the URL', async () => {
    const res = await rawRequest(
      url,
      'GET /api/v1/%ZZ?token=SECRET-IN-QUERY HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const error = assertContractError(res, 400, 'request.invalid');
    assert.match(error.message, /percent-encoded/);
    assert.ok(!res.body.includes('SECRET') && !res.body.includes('%ZZ'), res.body);
    const regular = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.headers['content-security-policy'], regular.headers['content-security-policy']);
  });

  it("routes path parameters up to the contract's longest (a 128-character object name)", async () => {
    for (const length of [101, 128]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/backup/objects/data/${'a'.repeat(length)}`,
      });
      assert.equal(res.statusCode, 401, `${length}: ${res.body}`);
      assert.equal(res.json().error.code, 'auth.unauthenticated');
    }
    const longId = await t.app.inject({
      method: 'GET',
      url: `/api/v1/diagnostics/practices/${'a'.repeat(200)}/probes`,
    });
    assert.equal(longId.statusCode, 400);
    assert.match(longId.json().error.message, /practiceId/);
    const tooLong = await rawRequest(
      url,
      `GET /api/v1/backup/objects/data/${'a'.repeat(MAX_PARAM_LENGTH + 1)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assert.match(assertContractError(tooLong, 400, 'request.invalid').message, /too long/);
  });

  it('answers malformed HTTP with the contract error', async () => {
    for (const request of [
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n',
      'NOT A REQUEST LINE\r\n\r\n',
      'POST /api/v1/info HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    ]) {
      const res = await rawRequest(url, request);
      assert.match(assertContractError(res, 400, 'request.invalid').message, /HTTP/, request);
    }
    const huge = await rawRequest(
      url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: ${'f'.repeat(64 * 1024)}\r\n\r\n`,
    );
    assertContractError(huge, 413, 'request.too_large');
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'the server is unharmed');
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

describe('web app fallback', () => {
  let webDir: string;
  let missing: TestApp;
  let built: TestApp;
  before(async () => {
    webDir = await mkdtemp(join(tmpdir(), 'tresor-web-'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Tresor</title>');
    [missing, built] = await Promise.all([
      createTestApp({ TRESOR_WEB_DIR: join(webDir, 'not-built') }),
      createTestApp({ TRESOR_WEB_DIR: webDir }),
    ]);
  });
  after(async () => {
    await Promise.all([missing.close(), built.close()]);
    await rm(webDir, { recursive: true, force: true });
  });

  it('answers a page request with a clear 404 when the web app is not built', async () => {
    for (const url of ['/', '/patients']) {
      const res = await missing.app.inject({ method: 'GET', url, headers: { accept: 'text/html,*/*' } });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'request.not_found');
      assert.match(res.json().error.message, /web app is not built/);
    }
    const api = await missing.app.inject({
      method: 'GET',
      url: '/api/v1/nope',
      headers: { accept: 'text/html' },
    });
    assert.equal(api.json().error.code, 'request.not_found');
  });

  it('serves index.html for page requests when it is built', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/patients', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /<title>Tresor<\/title>/);
  });
});
