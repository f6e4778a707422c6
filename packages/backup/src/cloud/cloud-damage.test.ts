import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { check } from '../engine/check.js';
import { restore } from '../engine/restore.js';
import { isBackupError } from '../errors.js';
import { loadSnapshots } from '../repository/snapshot-store.js';
import { FakeCloudServer } from '../testing/fake-cloud-server.js';
import { TEST_PASSPHRASE, newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { syncCloudMirror } from './cloud-cache.js';
import { sha256Hex } from './cloud-client.js';
import { replicate } from './replicate.js';
import { openCloudRepository, openRestoreSource } from './smart-restore.js';

/**
 * A cloud copy one of whose metadata files rotted on the server (the server still lists the hash
 * it recorded): the sync goes on and names it, every command reads what is still sound, and the
 * agent's next replicate names the packs a damaged index named again.
 */

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

const FILES = { 'a.bin': 120_000, 'b.bin': 150_000, 'c.bin': 90_000 } as const;
const content = (name: keyof typeof FILES) => seededBytes(name, FILES[name]);

/**
 * S1 {a} replicated (its own index file), then S2 {a, b} replicated (a second index file naming
 * b's packs and S2's listings).
 */
async function setUp() {
  const dir = await tempDir('cloud-damage-test-');
  dirs.push(dir);
  const data = join(dir, 'data');
  await mkdir(data);
  const repo = await newTestRepository(join(dir, 'repo'));
  const server = new FakeCloudServer();
  const agentCache = join(dir, 'cache-agent');
  const snapshotIds: string[] = [];
  const indexNames: string[] = [];
  for (const name of ['a.bin', 'b.bin'] as const) {
    await writeFile(join(data, name), content(name));
    await backup(repo, { paths: [data], workers: 1 });
    const indexBefore = new Set(cloudNames(server, 'index'));
    const replicated = await replicate(repo, server.client('tbk_agent'), { cacheRoot: agentCache });
    assert.deepEqual(replicated.problems, []);
    snapshotIds.push((await loadSnapshots(repo)).snapshots.at(-1)!.id);
    indexNames.push(cloudNames(server, 'index').find((index) => !indexBefore.has(index))!);
  }
  return { dir, data, repo, server, agentCache, snapshotIds, indexNames };
}

const cloudNames = (server: FakeCloudServer, kind: string) =>
  [...server.objects.values()].filter((object) => object.kind === kind).map(({ name }) => name);

/** A machine without the local repository: a fresh cache, everything from the cloud. */
function freshMachine(server: FakeCloudServer, dir: string) {
  const warnings: string[] = [];
  const cloud = {
    client: server.client('tbk_agent', (message) => warnings.push(message)),
    cacheRoot: join(dir, `cache-${randomUUID()}`),
  };
  return { cloud, warnings };
}

/** Restores `ref` from the cloud alone into a new folder; the restored tree's root. */
async function restoreFromCloud(server: FakeCloudServer, dir: string, data: string, ref: string) {
  const { cloud } = freshMachine(server, dir);
  const source = await openRestoreSource(undefined, async () => TEST_PASSPHRASE, cloud, ref);
  const target = join(dir, `restored-${randomUUID()}`);
  const result = await restore(source.repo, source.record, { target, workers: 1 });
  return { result, root: join(target, data) };
}

async function assertRestored(root: string, names: readonly (keyof typeof FILES)[]) {
  for (const name of names) {
    assert.deepEqual(new Uint8Array(await readFile(join(root, name))), content(name), name);
  }
}

describe('cloud copy with a snapshot that rotted on the server', () => {
  it('syncs the rest, restores the other snapshot, and says which one is damaged', async () => {
    const { dir, data, server, snapshotIds } = await setUp();
    const [first, second] = snapshotIds as [string, string];
    server.rot('snapshots', second);

    const { cloud, warnings } = freshMachine(server, dir);
    const mirror = await syncCloudMirror(cloud.client, cloud.cacheRoot);
    assert.deepEqual(mirror.damaged, [`snapshots/${second}`]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`snapshots/${second}`));
    assert.match(warnings[0]!, /arrived damaged/);

    const restored = await restoreFromCloud(server, dir, data, first);
    assert.equal(restored.result.status, 'complete');
    await assertRestored(restored.root, ['a.bin']);

    await assert.rejects(
      openRestoreSource(undefined, async () => TEST_PASSPHRASE, cloud, second.slice(0, 8)),
      (error: unknown) => isBackupError(error, 'repo.damaged') && error.message.includes(second.slice(0, 8)),
    );
    const told: string[] = [];
    const latest = await openRestoreSource(
      undefined,
      async () => TEST_PASSPHRASE,
      cloud,
      'latest',
      (m) => told.push(m),
    );
    assert.equal(latest.record.id, first, '"latest" is the newest snapshot that can be read');
    assert.equal(told.length, 1);
    assert.match(
      told[0]!,
      new RegExp(
        `1 snapshot file\\(s\\) .* cannot be read; "latest" is the newest readable one, ${first.slice(0, 8)}`,
      ),
    );
  });

  it('restores it from the local repository, where it is sound, without asking the cloud for it', async () => {
    const { dir, data, repo, server, snapshotIds } = await setUp();
    server.rot('snapshots', snapshotIds[1]!);
    const { cloud } = freshMachine(server, dir);
    const source = await openRestoreSource(repo.root, async () => TEST_PASSPHRASE, cloud, 'latest');
    assert.equal(source.from, 'local');
    assert.equal(source.record.id, snapshotIds[1]);
    const target = join(dir, 'restored-local');
    const result = await restore(source.repo, source.record, { target, workers: 1 });
    assert.equal(result.status, 'complete');
    await assertRestored(join(target, data), ['a.bin', 'b.bin']);
  });

  it('fetches it again once it is sound: the cache keeps no damaged copy', async () => {
    const { dir, server, snapshotIds } = await setUp();
    const second = snapshotIds[1]!;
    server.rot('snapshots', second);
    const { cloud } = freshMachine(server, dir);
    assert.deepEqual((await syncCloudMirror(cloud.client, cloud.cacheRoot)).damaged, [`snapshots/${second}`]);

    server.rot('snapshots', second); // the same byte flipped back: sound again
    const again = await syncCloudMirror(cloud.client, cloud.cacheRoot);
    assert.deepEqual(again.damaged, []);
    assert.equal(again.fetched, 1, 'only the file that was damaged is fetched again');
    const source = await openRestoreSource(undefined, async () => TEST_PASSPHRASE, cloud, 'latest');
    assert.equal(source.record.id, second);
  });
});

describe('cloud copy with an index file that rotted on the server', () => {
  it('check lists it; the next replicate names the packs again, and every snapshot restores from the cloud', async () => {
    const { dir, data, repo, server, agentCache, snapshotIds, indexNames } = await setUp();
    const damagedIndex = indexNames[1]!;
    server.rot('index', damagedIndex);

    // Checking the cloud copy from another machine reports the damaged file.
    const { cloud } = freshMachine(server, dir);
    const copy = await openCloudRepository(cloud, undefined, async () => TEST_PASSPHRASE, {
      localPacks: false,
    });
    assert.deepEqual(copy.mirror.damaged, [`index/${damagedIndex}`]);
    const checked = await check(copy.repo, { workers: 1 });
    assert.notEqual(checked.status, 'ok');
    assert.ok(
      checked.errors.some((error) => error.includes(damagedIndex.slice(0, 8))),
      checked.errors.join('\n'),
    );
    // The first snapshot needs nothing the damaged index named.
    const first = await restoreFromCloud(server, dir, data, snapshotIds[0]!);
    assert.equal(first.result.status, 'complete');
    await assertRestored(first.root, ['a.bin']);

    // The agent's cache holds the sound copy it fetched before the file rotted: the listing
    // still names the recorded hash, so its replicate sees no damage. A check of the cloud copy
    // with that cache fetches every metadata file again: it reports the file, keeping the sound copy.
    const unaware = await syncCloudMirror(server.client('tbk_agent'), agentCache);
    assert.deepEqual(unaware.damaged, []);
    const checking = await openCloudRepository(
      { client: server.client('tbk_agent'), cacheRoot: agentCache },
      undefined,
      async () => TEST_PASSPHRASE,
      { localPacks: false, refetchMetadata: true },
    );
    assert.deepEqual(checking.mirror.damaged, [`index/${damagedIndex}`]);
    assert.equal(
      sha256Hex(await readFile(join(agentCache, 'index', damagedIndex))),
      damagedIndex,
      'the sound cached copy is kept',
    );

    // The nightly backup and replicate with a cache that lacks the file (emptied, or a new
    // machine): a new snapshot, and the packs S2 needs named again.
    await writeFile(join(data, 'c.bin'), content('c.bin'));
    await backup(repo, { paths: [data], workers: 1 });
    const packsBefore = cloudNames(server, 'data').length;
    await removeDir(agentCache);
    const replicated = await replicate(repo, server.client('tbk_agent'), { cacheRoot: agentCache });
    assert.deepEqual(replicated.problems, []);
    assert.ok(server.objects.has(`index/${damagedIndex}`), 'the agent cannot delete the damaged file');

    for (const [ref, names] of [
      [snapshotIds[1]!, ['a.bin', 'b.bin']],
      ['latest', ['a.bin', 'b.bin', 'c.bin']],
    ] as const) {
      const restored = await restoreFromCloud(server, dir, data, ref);
      assert.equal(restored.result.status, 'complete', JSON.stringify(restored.result.errors));
      await assertRestored(restored.root, names);
    }
    assert.ok(cloudNames(server, 'data').length > packsBefore, 'the new snapshot’s packs were sent');
  });
});

describe('cloud copy whose config rotted on the server', () => {
  it('stops with cloud.damaged: nothing can be read without it', async () => {
    const { dir, server } = await setUp();
    server.rot('config', 'config');
    const { cloud } = freshMachine(server, dir);
    await assert.rejects(syncCloudMirror(cloud.client, cloud.cacheRoot), (error: unknown) =>
      isBackupError(error, 'cloud.damaged'),
    );
  });
});
