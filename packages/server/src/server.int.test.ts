import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServerProcess } from './testing/server-process.js';
import { createTestStorage, storageEnv, type TestStorage } from './testing/test-storage.js';

const PRACTICE = '7e3b2a10-5c4d-4e6f-8a9b-0c1d2e3f4a5b';

async function writeProbe(url: string, body: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/diagnostics/practices/${PRACTICE}/probes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

describe('tresor serve (the built CLI as a process)', () => {
  let storage: TestStorage;
  before(async () => {
    storage = await createTestStorage();
  });
  after(() => storage.dispose());

  it('serves /healthz, keeps data across a restart, and shuts down cleanly on SIGTERM', async () => {
    const env = { ...storageEnv(storage), TRESOR_DIAGNOSTICS: 'true' };
    const first = await startServerProcess(env);
    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200);
    const info = (await (await fetch(`${first.url}/api/v1/info`)).json()) as { storage: string };
    assert.equal(info.storage, storage.kind);
    const id = await writeProbe(first.url, 'survives restart');
    assert.equal(await first.stop('SIGTERM'), 0);

    const second = await startServerProcess(env);
    try {
      const res = await fetch(`${second.url}/api/v1/diagnostics/practices/${PRACTICE}/probes/${id}`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { body: string }).body, 'survives restart');
    } finally {
      assert.equal(await second.stop('SIGINT'), 0);
    }
  });

  it('refuses a second server on the same data directory', async () => {
    const first = await startServerProcess(storageEnv(storage));
    try {
      const second = await runCli(['serve'], { ...storageEnv(storage), PORT: '0' });
      assert.equal(second.code, 1);
      assert.match(second.stderr, /data directory .* is in use by another Tresor server \(pid \d+\)/);
      assert.equal((await fetch(`${first.url}/healthz`)).status, 200, 'the first server is unharmed');
    } finally {
      await first.stop();
    }
  });

  it('keeps every acknowledged write when killed with SIGKILL during a burst of writes', async () => {
    const env = { ...storageEnv(storage), TRESOR_DIAGNOSTICS: 'true', TRESOR_RATE_LIMIT: '1000000' };
    const server = await startServerProcess(env);
    const acknowledged: string[] = [];
    let killed = false;
    const writer = async (worker: number) => {
      for (let i = 0; !killed; i++) {
        try {
          const res = await fetch(`${server.url}/api/v1/diagnostics/practices/${PRACTICE}/probes`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ body: `burst ${worker}/${i}` }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          return; // connection died with the server
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, worker) => writer(worker));
    while (acknowledged.length < 200) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.stop('SIGKILL');
    killed = true;
    await Promise.all(writers);

    const restarted = await startServerProcess(env);
    try {
      assert.equal((await fetch(`${restarted.url}/readyz`)).status, 200, 'database opens cleanly');
      const res = await fetch(`${restarted.url}/api/v1/diagnostics/practices/${PRACTICE}/probes?limit=1000`);
      const stored = new Set(((await res.json()) as { probes: { id: string }[] }).probes.map((p) => p.id));
      const lost = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
    } finally {
      await restarted.stop();
    }
  });
});

describe('tresor serve refuses to start, clearly', () => {
  it('on an unknown or malformed setting, with exit code 2 and one line', async () => {
    for (const env of [{ TRESOR_DATADIR: '/tmp/x' }, { PORT: 'eighty' }, { LOG_LEVEL: 'chatty' }]) {
      const result = await runCli(['serve'], env);
      assert.equal(result.code, 2, JSON.stringify(env));
      assert.match(result.stderr, /^tresor: invalid configuration: .+\n$/);
    }
  });

  it('when DATABASE_URL is unreachable: clear message, exit 1, no retry storm', async () => {
    const port = await closedPort();
    const dataDir = await mkdtemp(join(tmpdir(), 'tresor-unreachable-'));
    const started = Date.now();
    const result = await runCli(['serve'], {
      TRESOR_DATA_DIR: dataDir,
      DATABASE_URL: `postgres://tresor:hunter2@127.0.0.1:${port}/tresor`,
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /tresor: cannot reach PostgreSQL at postgres:\/\/tresor:\*\*\*@127\.0\.0\.1:\d+\/tresor: .*ECONNREFUSED/,
    );
    assert.ok(!result.stderr.includes('hunter2'), 'password must not be printed');
    assert.ok(Date.now() - started < 15_000, 'fails fast instead of retrying');
  });

  it('when the port is in use or a key file is corrupt: one line, exit 1, the data directory freed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tresor-port-in-use-'));
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    const address = occupant.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await runCli(['serve'], {
        TRESOR_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
      });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `tresor: cannot listen on 127.0.0.1:${port}: the port is in use by another process (EADDRINUSE); set HOST and PORT\n`,
      );
    } finally {
      occupant.close();
    }
    assert.ok(!existsSync(join(dataDir, 'tresor.pid')), 'the lock is released');

    await writeFile(join(dataDir, 'audit-signing.key'), 'not a key\n');
    const corrupt = await runCli(['serve'], { TRESOR_DATA_DIR: dataDir, PORT: '0' });
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /^tresor: failed: .*audit-signing\.key is not an audit signing key.*\n$/);
    assert.ok(!corrupt.stderr.includes('    at '), corrupt.stderr);
    const debug = await runCli(['serve'], { TRESOR_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'debug' });
    assert.match(
      debug.stderr,
      /audit-signing\.key is not an audit signing key[^]*\n {4}at /,
      'debug shows the stack',
    );
  });

  it('when the data directory is not writable', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tresor-notdir-'));
    const file = join(parent, 'a-file');
    await writeFile(file, 'not a directory');
    const result = await runCli(['serve'], { TRESOR_DATA_DIR: join(file, 'data') });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /tresor: data directory .* is not writable \(ENOTDIR\); set TRESOR_DATA_DIR/);
    assert.equal(await readFile(file, 'utf8'), 'not a directory');
  });
});

describe('tresor CLI', () => {
  it('prints its version and help', async () => {
    const version = await runCli(['--version'], {});
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    for (const args of [['--help'], ['serve', '--help'], ['migrate', '--help']]) {
      const help = await runCli(args, {});
      assert.equal(help.code, 0, args.join(' '));
      assert.match(help.stdout, /Usage: tresor/);
      assert.match(help.stdout, /TRESOR_DATA_DIR/);
    }
  });

  it('migrates and reports a current schema the second time', async () => {
    const storage = await createTestStorage();
    try {
      const first = await runCli(['migrate'], storageEnv(storage));
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Applied: 20261123190000-platform, 20261123200000-accounts/);
      const second = await runCli(['migrate'], storageEnv(storage));
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /Database schema is current/);
    } finally {
      await storage.dispose();
    }
  });

  it('answers an unknown command with exit code 2', async () => {
    const result = await runCli(['frobnicate'], {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command/);
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 1;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
