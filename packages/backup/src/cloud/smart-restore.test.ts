import assert from 'node:assert/strict';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { restore } from '../engine/restore.js';
import { isBackupError } from '../errors.js';
import { BlobType } from '../format.js';
import { loadIndex } from '../repository/index-store.js';
import { TEST_PASSPHRASE, newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { CloudClient, sha256Hex } from './cloud-client.js';
import { type CloudAccess, openRestoreSource } from './smart-restore.js';

/** A loopback URL nobody listens on (a port just freed): every connection is refused. */
async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) =>
    server.close(() => {
      done();
    }),
  );
  return `http://127.0.0.1:${port}`;
}

describe('smart restore with the cloud unreachable', () => {
  let dir = '';
  let repoRoot = '';
  let source = '';
  let cloud: CloudAccess;
  let requests = 0;
  const content = seededBytes('smart-restore', 200_000);

  before(async () => {
    dir = await tempDir('smart-restore-test-');
    source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'befund.bin'), content);
    repoRoot = join(dir, 'repo');
    const repo = await newTestRepository(repoRoot);
    await backup(repo, { paths: [source], workers: 1 });
    const url = await unreachableUrl();
    const client = new CloudClient({
      url,
      token: 'tbk_x',
      attempts: 2,
      backoffMs: 1,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    cloud = { client, cacheRoot: join(dir, 'cache') };
  });
  after(async () => {
    await removeDir(dir);
  });

  it('restores a local snapshot whose data is all at hand without asking the cloud', async () => {
    requests = 0;
    const opened = await openRestoreSource(repoRoot, async () => TEST_PASSPHRASE, cloud, 'latest');
    assert.equal(opened.from, 'local');
    assert.equal(opened.cloudPacks, undefined);
    const target = join(dir, 'restored');
    const result = await restore(opened.repo, opened.record, {
      target,
      workers: 1,
      ...(opened.index === undefined ? {} : { index: opened.index }),
    });
    assert.equal(result.status, 'complete', JSON.stringify(result.errors));
    assert.deepEqual(new Uint8Array(await readFile(join(target, source, 'befund.bin'))), content);
    assert.equal(requests, 0, 'the cloud was not contacted');
  });

  it('says that the cloud is unreachable when the local repository lacks a pack', async () => {
    const repo = (await openRestoreSource(repoRoot, async () => TEST_PASSPHRASE, undefined, 'latest')).repo;
    const [lost] = await repo.listPackIds();
    await unlink(repo.packPath(lost!));
    requests = 0;
    await assert.rejects(
      openRestoreSource(repoRoot, async () => TEST_PASSPHRASE, cloud, 'latest'),
      (error: unknown) =>
        isBackupError(error, 'cloud.unreachable') &&
        error.message.includes('the local repository lacks 1 pack(s)') &&
        error.message.includes('cannot reach the Tresor server'),
    );
    assert.equal(requests, 2, 'the cloud was asked (and the attempts retried)');
  });
});

describe('smart restore with a damaged pack from the cloud', () => {
  let dir = '';

  before(async () => {
    dir = await tempDir('smart-restore-damaged-test-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('lists the files of a pack that arrives damaged and restores everything else', async () => {
    const source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'a.bin'), seededBytes('a', 50_000));
    const repo = await newTestRepository(join(dir, 'repo'));
    await backup(repo, { paths: [source], workers: 1 });
    const before = new Set(await repo.listPackIds());
    await writeFile(join(source, 'b.bin'), seededBytes('b', 50_000));
    await backup(repo, { paths: [source], workers: 1 });
    const { index } = await loadIndex(repo);
    const [lost] = (await repo.listPackIds()).filter(
      (id) => !before.has(id) && index.entriesOf(id)!.every((entry) => entry.type === BlobType.data),
    );
    const bytes = await readFile(repo.packPath(lost!));
    await unlink(repo.packPath(lost!));
    bytes[bytes.length >> 1]! ^= 1; // the cloud's copy: one bit flipped (or forged)
    const client = new CloudClient({
      url: 'https://cloud.example',
      token: 'tbk_x',
      attempts: 1,
      fetch: (async (input: string) => {
        if (new URL(input).pathname === '/api/v1/backup/objects') {
          return Response.json({
            objects: [
              {
                kind: 'data',
                name: lost,
                size: bytes.length,
                sha256: sha256Hex(bytes),
                createdAt: '',
                lockedUntil: '',
              },
            ],
          });
        }
        return new Response(bytes, { headers: { 'x-content-sha256': sha256Hex(bytes) } });
      }) as typeof fetch,
    });
    const cloud = { client, cacheRoot: join(dir, 'cache') };
    const opened = await openRestoreSource(repo.root, async () => TEST_PASSPHRASE, cloud, 'latest');
    const target = join(dir, 'restored');
    const result = await restore(opened.repo, opened.record, {
      target,
      workers: 1,
      ...(opened.index === undefined ? {} : { index: opened.index }),
    });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.errors.map((error) => error.path),
      [join(source, 'b.bin')],
    );
    assert.match(result.errors[0]!.message, /arrived damaged from the cloud/);
    assert.deepEqual(new Uint8Array(await readFile(join(target, source, 'a.bin'))), seededBytes('a', 50_000));
  });
});
