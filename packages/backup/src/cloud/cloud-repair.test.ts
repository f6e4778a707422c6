import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { restore } from '../engine/restore.js';
import { loadSnapshots } from '../repository/snapshot-store.js';
import { FakeCloudServer } from '../testing/fake-cloud-server.js';
import { TEST_PASSPHRASE, newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { syncCloudMirror } from './cloud-cache.js';
import type { CloudKind } from './cloud-client.js';
import { removeDamagedCloudFiles, repairCloud } from './cloud-repair.js';
import { localPath } from './local-objects.js';
import { replicate } from './replicate.js';
import { openRestoreSource } from './smart-restore.js';

/** `replicate --repair`: objects that rotted on the server are stored again from sound local copies. */

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

const FILES = { 'a.bin': 120_000, 'b.bin': 150_000 } as const;
const content = (name: keyof typeof FILES) => seededBytes(name, FILES[name]);

/** Two snapshots, {a} and {a, b}, each replicated. */
async function setUp() {
  const dir = await tempDir('cloud-repair-test-');
  dirs.push(dir);
  const data = join(dir, 'data');
  await mkdir(data);
  const repo = await newTestRepository(join(dir, 'repo'));
  const server = new FakeCloudServer();
  for (const name of ['a.bin', 'b.bin'] as const) {
    await writeFile(join(data, name), content(name));
    await backup(repo, { paths: [data], workers: 1 });
    const replicated = await replicate(repo, server.client('tbk_agent'), { cacheRoot: join(dir, 'cache') });
    assert.deepEqual(replicated.problems, []);
  }
  const snapshotIds = (await loadSnapshots(repo)).snapshots.map(({ id }) => id);
  return { dir, data, repo, server, snapshotIds, cacheRoot: join(dir, 'cache') };
}

const names = (server: FakeCloudServer, kind: CloudKind) =>
  [...server.objects.values()].filter((object) => object.kind === kind).map(({ name }) => name);

/** What a machine without the local repository sees of the cloud copy, and whether all restores. */
async function assertCloudSound(server: FakeCloudServer, dir: string, data: string, snapshotIds: string[]) {
  const warnings: string[] = [];
  const cloud = {
    client: server.client('tbk_agent', (message) => warnings.push(message)),
    cacheRoot: join(dir, `cache-${randomUUID()}`),
  };
  const mirror = await syncCloudMirror(cloud.client, cloud.cacheRoot);
  assert.deepEqual(mirror.damaged, []);
  for (const [i, id] of snapshotIds.entries()) {
    const source = await openRestoreSource(undefined, async () => TEST_PASSPHRASE, cloud, id);
    const target = join(dir, `restored-${randomUUID()}`);
    assert.equal((await restore(source.repo, source.record, { target, workers: 1 })).status, 'complete');
    const expected = i === 0 ? (['a.bin'] as const) : (['a.bin', 'b.bin'] as const);
    for (const name of expected) {
      assert.deepEqual(new Uint8Array(await readFile(join(target, data, name))), content(name), name);
    }
  }
  assert.deepEqual(warnings, []);
}

describe('repairCloud', () => {
  it('stores again every metadata file that rotted, and the packs with readData, then all restores', async () => {
    const { dir, data, repo, server, snapshotIds, cacheRoot } = await setUp();
    const [index] = names(server, 'index');
    const [slot] = names(server, 'keys');
    const [pack] = names(server, 'data');
    server.rot('snapshots', snapshotIds[1]!);
    server.rot('index', index!);
    server.rot('keys', slot!);
    server.rot('config', 'config');
    server.rot('data', pack!);

    const metadata = await repairCloud(repo, server.client('tbk_agent'), { cacheRoot });
    assert.deepEqual(
      [...metadata.repaired].sort(),
      ['config/config', `index/${index}`, `keys/${slot}`, `snapshots/${snapshotIds[1]}`].sort(),
    );
    assert.deepEqual(metadata.unrepaired, []);
    assert.equal(metadata.checked, server.objects.size - names(server, 'data').length);

    const withData = await repairCloud(repo, server.client('tbk_agent'), { cacheRoot, readData: true });
    assert.deepEqual(withData.repaired, [`data/${pack}`]);
    assert.equal(withData.checked, server.objects.size);

    const again = await repairCloud(repo, server.client('tbk_agent'), { cacheRoot, readData: true });
    assert.deepEqual([again.repaired, again.unrepaired], [[], []], 'a sound cloud copy needs nothing');
    await assertCloudSound(server, dir, data, snapshotIds);
  });

  it("repairs the packs the server's integrity scrub lists as damaged without reading every pack", async () => {
    const { dir, data, repo, server, snapshotIds, cacheRoot } = await setUp();
    const [rotten, sound] = names(server, 'data');
    assert.ok(rotten !== undefined && sound !== undefined, 'two packs');
    server.rot('data', rotten);
    server.scrub();

    const warnings: string[] = [];
    const replicated = await replicate(
      repo,
      server.client('tbk_agent', (m) => warnings.push(m)),
      {
        cacheRoot,
      },
    );
    assert.deepEqual(replicated.problems, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`found 1 damaged file.*data/${rotten}.*replicate --repair`));

    const repaired = await repairCloud(repo, server.client('tbk_agent'), { cacheRoot });
    assert.deepEqual([repaired.repaired, repaired.unrepaired], [[`data/${rotten}`], []]);
    assert.equal(repaired.checked, server.objects.size - names(server, 'data').length + 1, 'one pack read');
    await assertCloudSound(server, dir, data, snapshotIds);

    // Flagged, but sound again by the time the agent looks (repaired while the scrub ran): stored
    // again anyway, which clears the flag.
    server.rot('data', sound);
    server.scrub();
    server.rot('data', sound); // the same byte flipped back: sound, still flagged
    const cleared = await repairCloud(repo, server.client('tbk_agent'), { cacheRoot });
    assert.deepEqual([cleared.repaired, cleared.unrepaired], [[`data/${sound}`], []]);
    await assertCloudSound(server, dir, data, snapshotIds);
  });

  it('leaves what neither the local repository nor the cache can replace, and names why', async () => {
    const { repo, server, snapshotIds, cacheRoot } = await setUp();
    const [first, second] = snapshotIds as [string, string];
    const [index, laterIndex] = names(server, 'index') as [string, string];
    server.rot('snapshots', first);
    server.rot('index', index);
    server.rot('index', laterIndex);
    // The first snapshot is gone from the repository and the cache; the cached copy of one
    // index file is damaged on this disk too.
    for (const root of [repo.root, cacheRoot])
      await unlink(localPath(root, { kind: 'snapshots', name: first }));
    const indexPath = localPath(cacheRoot, { kind: 'index', name: index });
    const bytes = await readFile(indexPath);
    bytes[40]! ^= 1;
    await writeFile(indexPath, bytes);
    const puts = server.puts.length;

    const withoutCache = await repairCloud(repo, server.client('tbk_agent'));
    assert.equal(withoutCache.repaired.length, 0, 'index files are in the cache, not the repository');
    assert.equal(server.puts.length, puts, 'nothing was stored');

    const result = await repairCloud(repo, server.client('tbk_agent'), { cacheRoot });
    assert.deepEqual(result.repaired, [`index/${laterIndex}`]);
    assert.deepEqual(
      [...result.unrepaired].sort((a, b) => a.object.localeCompare(b.object)),
      [
        { object: `index/${index}`, reason: 'the copies here differ from what was stored' },
        { object: `snapshots/${first}`, reason: 'neither the local repository nor the cache has a copy' },
      ],
    );
    assert.equal(server.puts.length, puts + 1, 'only the repairable file was stored');
    assert.ok(server.objects.has(`snapshots/${second}`));
  });
});

describe('removeDamagedCloudFiles', () => {
  it('deletes damaged index files and snapshots nothing here can replace, keeps the rest, and honours the lock', async () => {
    const { repo, server, snapshotIds, cacheRoot } = await setUp();
    const [first, second] = snapshotIds as [string, string];
    const [index, laterIndex] = names(server, 'index') as [string, string];
    for (const [kind, name] of [
      ['snapshots', first],
      ['snapshots', second],
      ['index', index],
      ['index', laterIndex],
    ] as const) {
      server.rot(kind, name);
    }
    // Neither snapshot has a copy here any more; the first index file is only in the cache.
    for (const id of [first, second]) {
      for (const root of [repo.root, cacheRoot])
        await unlink(localPath(root, { kind: 'snapshots', name: id }));
    }
    // The second snapshot is still in its lock period.
    const locked = server.objects.get(`snapshots/${second}`)!;
    server.objects.set(`snapshots/${second}`, { ...locked, lockedUntil: '2999-01-01T00:00:00.000Z' });
    await unlink(localPath(cacheRoot, { kind: 'index', name: laterIndex }));
    const client = server.client('tbk_retention');
    const mirror = await syncCloudMirror(client, cacheRoot, { refetch: true });
    assert.equal(mirror.damaged.length, 4);
    const roots = [repo.root, cacheRoot];

    const dry = await removeDamagedCloudFiles(client, mirror, roots, { dryRun: true });
    assert.deepEqual(
      [[...dry.deleted].sort(), dry.locked, dry.repairable],
      [[`index/${laterIndex}`, `snapshots/${first}`, `snapshots/${second}`].sort(), [], [`index/${index}`]],
    );
    assert.equal(server.objects.size, names(server, 'data').length + 6, 'a dry run deletes nothing');

    const removal = await client.whileRetentionLocked(() => removeDamagedCloudFiles(client, mirror, roots));
    assert.deepEqual(
      [[...removal.deleted].sort(), removal.locked, removal.repairable],
      [[`index/${laterIndex}`, `snapshots/${first}`].sort(), [`snapshots/${second}`], [`index/${index}`]],
    );
    assert.equal(server.objects.has(`snapshots/${first}`), false);
    assert.equal(server.objects.has(`index/${laterIndex}`), false);
    assert.ok(server.objects.has(`snapshots/${second}`), 'locked: it stays');
    assert.ok(server.objects.has(`index/${index}`), 'repairable: it stays');
    assert.ok(names(server, 'data').length > 0, 'packs are never deleted here');
  });
});
