import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isBackupError } from '../errors.js';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { CloudClient, sha256Hex } from './cloud-client.js';
import { syncCloudMirror } from './cloud-cache.js';

const CONFIG = Buffer.from(
  '{"format":"tresor-backup-repository","version":1,"id":"00000000000000000000000000000000","createdAt":"x"}',
);
const SLOT = Buffer.from('{"slot":"bytes as the server sends them"}');
const SLOT_ID = 'ab'.repeat(16);
const EVIL = Buffer.from('pwned\n');

/** A server that lists `listing` (name → bytes by kind/name) and serves those bytes. */
function fakeServer(listing: { kind: string; name: string; bytes: Uint8Array; size?: unknown }[]) {
  const requested: string[] = [];
  const fetch = (async (input: string) => {
    const url = new URL(input);
    requested.push(decodeURIComponent(url.pathname));
    if (url.pathname === '/api/v1/backup/objects') {
      const objects = listing.map(({ kind, name, bytes, size }) => ({
        kind,
        name,
        size: size ?? bytes.length,
        sha256: sha256Hex(bytes),
        createdAt: '2026-01-01T00:00:00.000Z',
        lockedUntil: '2026-01-01T00:00:00.000Z',
      }));
      return Response.json({ objects });
    }
    const [kind, name] = decodeURIComponent(url.pathname.slice('/api/v1/backup/objects/'.length)).split('/');
    const object = listing.find((o) => o.kind === kind && o.name === name);
    if (object === undefined) return new Response('{}', { status: 404 });
    return new Response(object.bytes as Uint8Array<ArrayBuffer>, {
      headers: { 'x-content-sha256': sha256Hex(object.bytes) },
    });
  }) as typeof globalThis.fetch;
  return { fetch, requested };
}

describe('cloud mirror: names from the untrusted server', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await removeDir(dir);
  });

  it('never writes, fetches or keeps an object whose name is not that of a repository file', async () => {
    const base = await tempDir('cloud-cache-test-');
    dirs.push(base);
    const cacheRoot = join(base, 'cache', 'cloud-x');
    const hostile = [
      { kind: 'keys', name: '../../../escaped.txt' },
      { kind: 'keys', name: '..' },
      { kind: 'index', name: '../../escaped.txt' },
      { kind: 'snapshots', name: `../${'a'.repeat(64)}` },
      { kind: 'data', name: '..' },
      { kind: 'snapshots', name: 'A'.repeat(64) },
      { kind: 'config', name: '../config' },
      { kind: 'secrets', name: 'b'.repeat(64) },
      { kind: '__proto__', name: 'x' },
    ];
    const server = fakeServer([
      { kind: 'config', name: 'config', bytes: CONFIG },
      { kind: 'keys', name: SLOT_ID, bytes: SLOT },
      ...hostile.map((object) => ({ ...object, bytes: EVIL })),
    ]);
    const warnings: string[] = [];
    const client = new CloudClient({
      url: 'https://evil.example',
      token: 'tbk_x',
      fetch: server.fetch,
      attempts: 1,
      warn: (message) => warnings.push(message),
    });

    const mirror = await syncCloudMirror(client, cacheRoot);

    assert.deepEqual(await readdir(base), ['cache'], 'nothing was written next to the cache');
    assert.deepEqual(await readdir(join(base, 'cache')), ['cloud-x']);
    assert.deepEqual(
      await readdir(join(cacheRoot, 'keys')),
      [SLOT_ID],
      'the well-formed key slot is mirrored',
    );
    assert.deepEqual(await readdir(join(cacheRoot, 'index')), []);
    assert.deepEqual(await readdir(join(cacheRoot, 'snapshots')), []);
    assert.deepEqual([...mirror.objects.keys()].sort(), ['config/config', `keys/${SLOT_ID}`]);
    assert.equal(mirror.fetched, 2);
    assert.deepEqual(
      server.requested.filter((path) => path !== '/api/v1/backup/objects').sort(),
      ['/api/v1/backup/objects/config/config', `/api/v1/backup/objects/keys/${SLOT_ID}`],
      'no request names a malformed object',
    );
    assert.equal(warnings.length, hostile.length, warnings.join('\n'));
    assert.ok(warnings.some((warning) => warning.includes('"keys/../../../escaped.txt"')));
    assert.ok(warnings.every((warning) => warning.includes('ignored')));

    // A second sync (the listing read again) reports nothing new and still writes nothing.
    await syncCloudMirror(client, cacheRoot);
    assert.equal(warnings.length, hostile.length);
    assert.deepEqual(await readdir(base), ['cache']);
  });

  it('leaves out listed objects of another kind than asked for', async () => {
    const server = fakeServer([
      { kind: 'config', name: 'config', bytes: CONFIG },
      { kind: 'data', name: 'c'.repeat(64), bytes: EVIL },
    ]);
    const client = new CloudClient({ url: 'https://evil.example', token: 't', fetch: server.fetch });
    assert.deepEqual(
      (await client.list('data')).map((object) => object.name),
      ['c'.repeat(64)],
    );
  });

  it('refuses a listing with a malformed size', async () => {
    const server = fakeServer([{ kind: 'config', name: 'config', bytes: CONFIG, size: -1 }]);
    const client = new CloudClient({ url: 'https://evil.example', token: 't', fetch: server.fetch });
    await assert.rejects(client.list(), (error: unknown) => isBackupError(error, 'cloud.damaged'));
  });
});
