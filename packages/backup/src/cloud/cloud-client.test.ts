import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isBackupError } from '../errors.js';
import { CloudClient, sha256Hex } from './cloud-client.js';

/**
 * Transport faults only: a loopback server that drops connections or answers 503 a given number
 * of times before it answers as the Tresor server does. The server's real behaviour is tested end
 * to end in packages/server/src/modules/backup-repo/backup-agent.int.test.ts.
 */
describe('cloud client: retries what may succeed later, reports what will not', () => {
  let url = '';
  let faults: ('drop' | 503)[] = [];
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const fault = faults.shift();
      if (fault === 'drop') {
        request.socket.destroy();
        return;
      }
      if (fault === 503) {
        response.writeHead(503).end();
        return;
      }
      if (request.headers.authorization !== 'Bearer tbk_good') {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'auth.unauthenticated', message: 'no' } }));
        return;
      }
      const body = Buffer.concat(chunks);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          kind: 'data',
          name: 'x',
          size: body.length,
          sha256: sha256Hex(body),
          createdAt: new Date().toISOString(),
          lockedUntil: new Date().toISOString(),
        }),
      );
    });
  });
  before(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(
    () =>
      new Promise<void>((done) =>
        server.close(() => {
          done();
        }),
      ),
  );

  it('retries dropped connections and 503 answers, then succeeds', async () => {
    faults = ['drop', 503, 'drop'];
    requests = 0;
    const client = new CloudClient({ url, token: 'tbk_good', backoffMs: 1 });
    const stored = await client.put('data', 'x', new Uint8Array([1, 2, 3]));
    assert.equal(stored.size, 3);
    assert.equal(requests, 4);
  });

  it('gives up after the attempts with a message that says how to resume', async () => {
    faults = Array.from({ length: 10 }, () => 503 as const);
    const client = new CloudClient({ url, token: 'tbk_good', attempts: 3, backoffMs: 1 });
    await assert.rejects(
      client.put('data', 'x', new Uint8Array([1])),
      (error: unknown) =>
        isBackupError(error, 'cloud.unreachable') &&
        error.message.includes('run the command again to resume'),
    );
    faults = [];
  });

  it('does not retry a refused token, and never names the token', async () => {
    requests = 0;
    const client = new CloudClient({ url, token: 'tbk_secret-value', backoffMs: 1 });
    await assert.rejects(
      client.list(),
      (error: unknown) => isBackupError(error, 'cloud.unauthorized') && !error.message.includes('tbk_'),
    );
    assert.equal(requests, 1);
  });

  it('refuses a URL that is not http(s)', () => {
    assert.throws(
      () => new CloudClient({ url: 'ftp://x', token: 't' }),
      (error: unknown) => isBackupError(error, 'usage.invalid'),
    );
  });
});

describe('cloud client: the retention lock', () => {
  const LOCK = '6f1c3c4e-8d0a-4b8e-9a51-3f0c2d7e9b10';
  const seen: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => {
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      const lock = { id: LOCK, expiresAt: new Date(Date.now() + 3_000).toISOString() };
      response.end(JSON.stringify(request.url?.includes('retention-lock') ? lock : { ok: true }));
    });
  });
  let client: CloudClient;
  before(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    client = new CloudClient({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 'tbk_r',
    });
  });
  after(
    () =>
      new Promise<void>((done) =>
        server.close(() => {
          done();
        }),
      ),
  );

  it('deletes only while it holds the lock, naming it, extends it meanwhile, and ends it even when the work fails', async () => {
    await assert.rejects(client.delete('data', 'p1'), /retention lock/);
    assert.deepEqual(seen, [], 'nothing was sent without the lock');
    await assert.rejects(
      client.whileRetentionLocked(async () => {
        assert.equal(await client.delete('data', 'p1'), 'deleted');
        await new Promise((resolve) => setTimeout(resolve, 1_300));
        throw new Error('the retention run failed');
      }),
      /the retention run failed/,
    );
    // The extension and the release go out on their own connections: compare them as a set.
    assert.equal(seen[0], 'POST /api/v1/backup/retention-lock');
    assert.deepEqual(
      [...seen].sort(),
      [
        'POST /api/v1/backup/retention-lock',
        `DELETE /api/v1/backup/objects/data/p1?lock=${LOCK}`,
        `PUT /api/v1/backup/retention-lock/${LOCK}`,
        `DELETE /api/v1/backup/retention-lock/${LOCK}`,
      ].sort(),
    );
    await assert.rejects(client.delete('data', 'p2'), /retention lock/, 'the lock ended with the work');
  });
});

/**
 * The server is not trusted, and a proxy or captive portal may answer 200 with a page of its own:
 * an answer that is not what the API sends is `cloud.damaged` with a message, never a SyntaxError
 * or TypeError (which the CLI prints with a stack trace as a bug).
 */
describe('cloud client: malformed answers', () => {
  const answering =
    (body: string, status = 200): typeof fetch =>
    () =>
      Promise.resolve(new Response(body, { status, headers: { 'content-type': 'application/json' } }));
  const damaged = (error: unknown) =>
    isBackupError(error, 'cloud.damaged') && error.message.includes('http://127.0.0.1:9');
  const bodies = ['<html>Anmeldung erforderlich</html>', 'null', '[]', '"ok"', '{}'];

  for (const body of bodies) {
    it(`list, put, forgottenSnapshots and the retention lock refuse ${JSON.stringify(body)}`, async () => {
      const client = new CloudClient({ url: 'http://127.0.0.1:9', token: 't', fetch: answering(body) });
      await assert.rejects(client.list(), damaged);
      await assert.rejects(client.put('data', 'x', new Uint8Array([1])), damaged);
      await assert.rejects(client.forgottenSnapshots(), damaged);
      let worked = false;
      await assert.rejects(
        client.whileRetentionLocked(() => {
          worked = true;
          return Promise.resolve();
        }),
        damaged,
      );
      assert.equal(worked, false, 'no work without a lock');
    });
  }

  it('refuses a listing or a stored object whose fields have the wrong types', async () => {
    const client = (body: unknown) =>
      new CloudClient({ url: 'http://127.0.0.1:9', token: 't', fetch: answering(JSON.stringify(body)) });
    await assert.rejects(client({ names: 'abc' }).forgottenSnapshots(), damaged);
    await assert.rejects(client({ names: [1, 2] }).forgottenSnapshots(), damaged);
    await assert.rejects(client({ sha256: 5, size: 1 }).put('data', 'x', new Uint8Array([1])), damaged);
    const listed = { kind: 'data', name: 'a'.repeat(64), size: 1, sha256: 'b'.repeat(64) };
    await assert.rejects(client({ objects: [{ ...listed, damaged: 'yes' }] }).list(), damaged);
    assert.equal((await client({ objects: [{ ...listed, damaged: true }] }).list())[0]?.damaged, true);
    assert.equal((await client({ objects: [listed] }).list())[0]?.damaged, undefined, 'older servers');
    await assert.rejects(
      client({ id: 'l', expiresAt: 'never' }).whileRetentionLocked(() => Promise.resolve()),
      damaged,
    );
  });

  for (const body of [
    '<html>Forbidden</html>',
    'null',
    '{"error":null}',
    '{"error":{"code":5,"message":[]}}',
  ]) {
    it(`says what an error answer ${JSON.stringify(body)} was`, async () => {
      const client = new CloudClient({ url: 'http://127.0.0.1:9', token: 't', fetch: answering(body, 403) });
      await assert.rejects(
        client.list(),
        (error: unknown) => isBackupError(error, 'cloud.refused') && error.message.includes('HTTP 403'),
      );
    });
  }
});

/** Object bodies are read only as far as they can be long: a server cannot make us hold more. */
describe('cloud client: answers longer than they can be', () => {
  /** A body of `total` bytes in 64 KiB pieces, counting how many were pulled. */
  function streamed(total: number) {
    const state = { pulled: 0 };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.pulled >= total) {
          controller.close();
          return;
        }
        const piece = new Uint8Array(Math.min(64 * 1024, total - state.pulled)).fill(7);
        state.pulled += piece.length;
        controller.enqueue(piece);
      },
    });
    return { body, state };
  }

  it('refuses an object longer than its listed size without reading it all', async () => {
    const { body, state } = streamed(64 * 1024 * 1024);
    const client = new CloudClient({
      url: 'http://127.0.0.1:9',
      token: 't',
      fetch: () => Promise.resolve(new Response(body, { status: 200 })),
    });
    await assert.rejects(
      client.get('index', 'a'.repeat(64), 100_000),
      (error: unknown) =>
        isBackupError(error, 'cloud.damaged') && error.message.includes('longer than the 100000 bytes'),
    );
    assert.ok(state.pulled < 1024 * 1024, `pulled ${state.pulled} bytes`);
  });

  it('refuses one whose declared length is too long before reading any of it', async () => {
    const client = new CloudClient({
      url: 'http://127.0.0.1:9',
      token: 't',
      fetch: () =>
        Promise.resolve(new Response('x'.repeat(10), { status: 200, headers: { 'content-length': '10' } })),
    });
    await assert.rejects(client.get('index', 'a'.repeat(64), 9), (error: unknown) =>
      isBackupError(error, 'cloud.damaged'),
    );
    assert.equal((await client.get('index', 'a'.repeat(64), 10)).length, 10);
  });

  it('reads a range only as far as needed from a server that ignores the range', async () => {
    const { body, state } = streamed(64 * 1024 * 1024);
    const client = new CloudClient({
      url: 'http://127.0.0.1:9',
      token: 't',
      fetch: () => Promise.resolve(new Response(body, { status: 200 })),
    });
    const bytes = await client.getRange('data', 'b'.repeat(64), 100_000, 50_000);
    assert.equal(bytes.length, 50_000);
    assert.ok(bytes.every((b) => b === 7));
    assert.ok(state.pulled < 1024 * 1024, `pulled ${state.pulled} bytes`);
  });
});
