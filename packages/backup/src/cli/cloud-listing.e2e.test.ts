import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, jsonLines, runCli } from '../testing/cli-process.js';
import { removeDir, tempDir } from '../testing/fixtures.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const CONFIG = Buffer.from(
  '{"format":"tresor-backup-repository","version":1,"id":"00000000000000000000000000000000","createdAt":"x"}',
);
const EVIL = Buffer.from('pwned\n');
const listed = (kind: string, name: string, bytes: Uint8Array) => ({
  kind,
  name,
  size: bytes.length,
  sha256: sha256(bytes),
  createdAt: '2026-01-01T00:00:00.000Z',
  lockedUntil: '2026-01-01T00:00:00.000Z',
});

describe('tresor-backup and a server listing names that escape the cache (built)', () => {
  let dir = '';
  let url = '';
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith('/api/v1/backup/objects?') || request.url === '/api/v1/backup/objects') {
      response.end(
        JSON.stringify({
          objects: [listed('config', 'config', CONFIG), listed('keys', '../../../escaped.txt', EVIL)],
        }),
      );
      return;
    }
    const body = request.url?.endsWith('/config') ? CONFIG : EVIL;
    response.writeHead(200, { 'x-content-sha256': sha256(body) });
    response.end(body);
  });
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-listing-');
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((done) =>
      server.close(() => {
        done();
      }),
    );
    await removeDir(dir);
  });

  it('warns about the name, writes nothing outside the cache, and goes on without it', async () => {
    const out = await runCli(['check', '--cloud-copy', '--json'], {
      TRESOR_BACKUP_CLOUD_URL: url,
      TRESOR_BACKUP_CLOUD_TOKEN: 'tbk_x',
      TRESOR_BACKUP_CACHE: join(dir, 'cache'),
      TRESOR_BACKUP_PASSPHRASE: 'Winter-Praxis-2026!',
    });
    const warnings = jsonLines(out.stdout).filter((line) => line.type === 'warning');
    assert.equal(warnings.length, 1, out.stdout + out.stderr);
    assert.match(String(warnings[0]?.message), /"keys\/\.\.\/\.\.\/\.\.\/escaped\.txt".*ignored/);
    // The config alone (no key slot) cannot be opened: that is the only failure.
    assert.equal(out.code, 1, out.stdout + out.stderr);
    assert.match(out.stdout + out.stderr, /no usable key slot/);
    assert.deepEqual(await readdir(dir), ['cache'], 'nothing was written next to the cache');
  });
});
