import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { check } from '../engine/check.js';
import { isBackupError } from '../errors.js';
import { BlobType } from '../format.js';
import { sealFile } from '../repository/file-envelope.js';
import { loadIndex } from '../repository/index-store.js';
import type { Repository } from '../repository/repository.js';
import { planRetention } from '../retention/forget.js';
import { FakeCloudServer as FakeServer } from '../testing/fake-cloud-server.js';
import { TEST_PASSPHRASE, newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { syncCloudMirror } from './cloud-cache.js';
import { sha256Hex } from './cloud-client.js';
import { cloudUsageOptions, deleteCloudSnapshots, pruneCloud } from './cloud-retention.js';
import { recordPendingPacks } from './prune-journal.js';
import { replicate } from './replicate.js';
import { openCloudRepository } from './smart-restore.js';

/** Flips one byte inside every data blob of every pack, in the local `data/` or the server's copy. */
async function damageDataBlobs(repo: Repository, server?: FakeServer): Promise<number> {
  const { index } = await loadIndex(repo);
  let damaged = 0;
  for (const [packId, entries] of index.packs()) {
    const blobs = entries.filter((entry) => entry.type === BlobType.data);
    if (server !== undefined) {
      const stored = server.objects.get(`data/${packId}`);
      if (stored === undefined) continue;
      for (const entry of blobs) stored.bytes[entry.offset + 20]! ^= 0xff;
    } else {
      const file = await open(repo.packPath(packId), 'r+');
      for (const entry of blobs) {
        const byte = Buffer.alloc(1);
        await file.read(byte, 0, 1, entry.offset + 20);
        byte[0]! ^= 0xff;
        await file.write(byte, 0, 1, entry.offset + 20);
      }
      await file.close();
    }
    damaged += blobs.length;
  }
  return damaged;
}

/**
 * One cloud retention run with the retention credential, as `forget --cloud-copy --keep-last
 * KEEP --prune` does it (with the local repository's packs at hand).
 */
function cloudRetention(server: FakeServer, repo: Repository, cacheRoot: string, keepLast = 1) {
  const retention = server.client('tbk_retention');
  return retention.whileRetentionLocked(async () => {
    const copy = await openCloudRepository(
      { client: retention, cacheRoot },
      repo,
      async () => TEST_PASSPHRASE,
    );
    const plan = await planRetention(copy.repo, { keepLast }, new Date(), cloudUsageOptions(copy.mirror));
    const forgotten = plan.decisions.filter((decision) => decision.forget).map((decision) => decision.id);
    await deleteCloudSnapshots(copy.repo, retention, forgotten);
    const synced = await syncCloudMirror(retention, cacheRoot);
    return { plan, prune: await pruneCloud(copy.repo, synced, retention, { maxUnused: 0 }) };
  });
}

/** `check --cloud-copy --read-data` from another machine: every pack from the cloud. */
async function checkCloudCopy(server: FakeServer, dir: string) {
  const fresh = await openCloudRepository(
    { client: server.client('tbk_agent'), cacheRoot: join(dir, `cache-check-${randomUUID()}`) },
    undefined,
    async () => TEST_PASSPHRASE,
    { localPacks: false },
  );
  const packs = new Map(
    [...fresh.mirror.objects.values()].filter((o) => o.kind === 'data').map((o) => [o.name, o.size]),
  );
  return check(fresh.repo, { packs, readData: true, workers: 1 });
}

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

/**
 * A local repository with two snapshots, replicated; then the first is forgotten in the cloud,
 * so the cloud pack holding both snapshots' file data is only partly needed (to be rewritten).
 */
async function setUp() {
  const dir = await tempDir('cloud-prune-test-');
  dirs.push(dir);
  const data = join(dir, 'data');
  await mkdir(data);
  const repo = await newTestRepository(join(dir, 'repo'));
  for (let i = 0; i < 3; i++) {
    await writeFile(join(data, `keep-${i}.bin`), seededBytes(`keep-${i}`, 300_000));
    await writeFile(join(data, `gone-${i}.bin`), seededBytes(`gone-${i}`, 300_000));
  }
  await backup(repo, { paths: [data], workers: 1 });
  for (let i = 0; i < 3; i++) await unlink(join(data, `gone-${i}.bin`));
  await backup(repo, { paths: [data], workers: 1 });
  const server = new FakeServer();
  const replicated = await replicate(repo, server.client('tbk_agent'), {
    cacheRoot: join(dir, 'cache-agent'),
  });
  assert.deepEqual(replicated.problems, []);
  const cacheRoot = join(dir, 'cache-retention');
  const pruneTheCloud = async () => (await cloudRetention(server, repo, cacheRoot)).prune;
  return { dir, repo, server, cacheRoot, pruneTheCloud, checkCloudCopy: () => checkCloudCopy(server, dir) };
}

describe('cloud prune: the copy at hand is checked before it replaces the cloud copy', () => {
  it('takes the blobs of a pack damaged locally from the cloud, and the cloud copy stays intact', async () => {
    const { repo, pruneTheCloud, checkCloudCopy } = await setUp();
    assert.ok((await damageDataBlobs(repo)) > 0);
    assert.equal(
      (await check(repo, { readData: true, workers: 1 })).status,
      'problems',
      'the local copy rotted',
    );

    const result = await pruneTheCloud();

    assert.ok(result.packsRewritten >= 1 && result.packsDeleted >= 1, JSON.stringify(result));
    const checked = await checkCloudCopy();
    assert.equal(checked.status, 'ok', JSON.stringify(checked.errors.slice(0, 3)));
    assert.equal(result.damagedAtHand.length, result.packsRewritten, 'each damaged pack at hand is reported');
    assert.ok(result.rangeRequests >= 1, 'the kept blobs came from the cloud');
  });

  it('stops before deleting anything when the cloud copy of a pack damaged locally is damaged too', async () => {
    const { repo, server, pruneTheCloud } = await setUp();
    await damageDataBlobs(repo);
    await damageDataBlobs(repo, server);
    const dataBefore = [...server.objects.keys()].filter((key) => !key.startsWith('snapshots/')).sort();

    await assert.rejects(
      pruneTheCloud(),
      (error: unknown) =>
        isBackupError(error, 'cloud.damaged') && error.message.includes('nothing was deleted'),
    );
    assert.deepEqual(
      [...server.objects.keys()].filter((key) => !key.startsWith('snapshots/')).sort(),
      dataBefore,
      'no pack, index or key was deleted or added',
    );
  });

  it('copies the blobs of a sound pack at hand without fetching anything', async () => {
    const { pruneTheCloud, checkCloudCopy } = await setUp();
    const result = await pruneTheCloud();
    assert.ok(result.packsRewritten >= 1);
    assert.deepEqual(result.damagedAtHand, []);
    assert.equal(result.rangeRequests, 0);
    assert.equal((await checkCloudCopy()).status, 'ok');
  });
});

/** Bytes sealed by no holder of the repository key (what a stolen agent token can store). */
const junk = (seed: string) => seededBytes(seed, 200);

describe('cloud retention: objects no holder of the repository key wrote', () => {
  it('leaves them out, applies the rules, and deletes them once past their lock period', async () => {
    const { dir, server, repo, cacheRoot } = await setUp();
    const stored = (kind: string) => [...server.objects.values()].filter((object) => object.kind === kind);
    const foreign = [
      { kind: 'snapshots', name: sha256Hex(junk('a')), bytes: junk('a') },
      { kind: 'index', name: sha256Hex(junk('b')), bytes: junk('b') },
      // The server does not check names: junk, and real files' bytes, under names not their hash.
      { kind: 'snapshots', name: 'c'.repeat(64), bytes: junk('c') },
      { kind: 'index', name: 'd'.repeat(64), bytes: stored('index')[0]!.bytes },
      { kind: 'snapshots', name: 'e'.repeat(64), bytes: stored('snapshots')[0]!.bytes },
    ] as const;
    const agent = server.client('tbk_agent');
    for (const { kind, name, bytes } of foreign) await agent.put(kind, name, bytes);

    const { plan, prune } = await cloudRetention(server, repo, cacheRoot);

    const names = foreign.map(({ name }) => name).sort();
    assert.deepEqual(plan.foreign.map(({ id }) => id).sort(), names);
    assert.deepEqual(
      plan.decisions.map((decision) => decision.forget),
      [false, true],
      'the two real snapshots, the older forgotten',
    );
    assert.ok(prune.packsRewritten >= 1 && prune.packsDeleted >= 1, JSON.stringify(prune));
    assert.deepEqual(prune.foreign.map(({ id }) => id).sort(), names);
    assert.ok(prune.foreign.every(({ outcome }) => outcome === 'deleted'));
    for (const { kind, name } of foreign) assert.ok(!server.objects.has(`${kind}/${name}`), name);
    const checked = await checkCloudCopy(server, dir);
    assert.equal(checked.status, 'ok', JSON.stringify(checked.errors.slice(0, 3)));
  });

  it('keeps them during their lock period without holding retention up', async () => {
    const { server, repo, cacheRoot } = await setUp();
    server.lockNew = true;
    const name = sha256Hex(junk('f'));
    await server.client('tbk_agent').put('snapshots', name, junk('f'));

    const { prune } = await cloudRetention(server, repo, cacheRoot);

    assert.ok(prune.packsRewritten >= 1 && prune.packsDeleted >= 1, JSON.stringify(prune));
    assert.deepEqual(
      prune.foreign.map(({ kind, id, outcome }) => [kind, id, outcome]),
      [['snapshot', name, 'locked']],
    );
    assert.ok(server.objects.has(`snapshots/${name}`));
  });

  it('does not delete the packs an interrupted prune left while a foreign index file is there', async () => {
    const { dir, server, repo, cacheRoot } = await setUp();
    // A pack in the cloud that no index names, which an interrupted prune set out to delete.
    await writeFile(join(dir, 'data', 'new.bin'), seededBytes('new', 300_000));
    await backup(repo, { paths: [join(dir, 'data')], workers: 1 });
    await assert.rejects(
      replicate(repo, server.client('tbk_agent'), {
        cacheRoot: join(dir, 'cache-agent'),
        onUploaded: () => {
          throw new Error('killed');
        },
      }),
    );
    const unindexed = server.puts.at(-1)!.slice('data/'.length);
    await syncCloudMirror(server.client('tbk_retention'), cacheRoot);
    const mirror = await repo.openSibling(cacheRoot);
    await recordPendingPacks(mirror, 'delete', [{ packId: unindexed, entries: [] }]);
    await server.client('tbk_agent').put('index', sha256Hex(junk('g')), junk('g'));

    const first = (await cloudRetention(server, repo, cacheRoot, 3)).prune;
    assert.equal(first.packsLeftOver, 0);
    assert.ok(server.objects.has(`data/${unindexed}`), 'kept while the foreign index is there');
    assert.deepEqual(
      first.foreign.map(({ outcome }) => outcome),
      ['deleted'],
    );
    const second = (await cloudRetention(server, repo, cacheRoot, 3)).prune;
    assert.equal(second.packsLeftOver, 1, 'deleted as recorded once it is gone');
    assert.ok(!server.objects.has(`data/${unindexed}`));
  });

  const realDamage: [string, (server: FakeServer, repo: Repository, cacheRoot: string) => Promise<void>][] = [
    [
      'a snapshot sealed with the repository key that does not parse',
      async (server, repo) => {
        const sealed = sealFile(repo.keys.encryption, 'snapshot', Buffer.from('{"v":1}'));
        await server.client('tbk_agent').put('snapshots', sha256Hex(sealed), sealed);
      },
    ],
    [
      'an index file sealed with the repository key that does not parse',
      async (server, repo) => {
        const sealed = sealFile(repo.keys.encryption, 'index', Buffer.from([7, 0, 0, 0]));
        await server.client('tbk_agent').put('index', sha256Hex(sealed), sealed);
      },
    ],
    ...(['snapshots', 'index'] as const).map((kind): (typeof realDamage)[number] => [
      `a real ${kind === 'index' ? 'index file' : 'snapshot'} that rotted on the server`,
      async (server) => {
        server.rot(kind, [...server.objects.values()].find((object) => object.kind === kind)!.name);
      },
    ]),
  ];
  for (const [what, damage] of realDamage) {
    it(`still stops before changing anything at ${what}`, async () => {
      const { server, repo, cacheRoot } = await setUp();
      await damage(server, repo, cacheRoot);
      const before = [...server.objects.keys()].sort();

      await assert.rejects(cloudRetention(server, repo, cacheRoot), (error: unknown) =>
        isBackupError(error, 'repo.damaged'),
      );
      assert.deepEqual([...server.objects.keys()].sort(), before, 'nothing deleted or added');
    });
  }
});

describe('cloud retention: a damaged copy in the cache', () => {
  for (const kind of ['snapshots', 'index'] as const) {
    it(`fetches ${kind === 'index' ? 'an index file' : 'a snapshot'} damaged on this disk again and goes on`, async () => {
      const { server, repo, cacheRoot } = await setUp();
      await syncCloudMirror(server.client('tbk_retention'), cacheRoot);
      const object = [...server.objects.values()].find((stored) => stored.kind === kind)!;
      const path = join(cacheRoot, kind, object.name);
      const file = await open(path, 'r+');
      await file.write(Buffer.from([0xff]), 0, 1, 30);
      await file.close();

      const { prune } = await cloudRetention(server, repo, cacheRoot);

      assert.ok(prune.packsRewritten >= 1 && prune.packsDeleted >= 1, JSON.stringify(prune));
      if (server.objects.has(`${kind}/${object.name}`)) {
        assert.deepEqual(new Uint8Array(await readFile(path)), object.bytes, 'the cache copy is sound again');
      }
    });
  }
});

describe('replicate: a cloud retention run meanwhile', () => {
  /**
   * S1 {keep, x} and S2 {keep} replicated; a month later (all that is past its lock period) x
   * comes back, and S3 {keep, x} relies on x's blobs in the cloud pack S1 sent. A cloud retention
   * run (keep the newest) that ends after replicate listed the cloud rewrites that pack without x.
   */
  async function setUpRace() {
    const dir = await tempDir('cloud-race-test-');
    dirs.push(dir);
    const data = join(dir, 'data');
    await mkdir(data);
    const repo = await newTestRepository(join(dir, 'repo'));
    await writeFile(join(data, 'keep.bin'), seededBytes('keep', 400_000));
    await writeFile(join(data, 'x.bin'), seededBytes('x', 600_000));
    await backup(repo, { paths: [data], workers: 1 });
    await unlink(join(data, 'x.bin'));
    await backup(repo, { paths: [data], workers: 1 });
    const server = new FakeServer();
    const cacheRoot = join(dir, 'cache-agent');
    const replicateNow = () => replicate(repo, server.client('tbk_agent'), { cacheRoot });
    assert.deepEqual((await replicateNow()).problems, []);
    server.lockNew = true;
    await writeFile(join(data, 'x.bin'), seededBytes('x', 600_000));
    const s3 = (await backup(repo, { paths: [data], workers: 1 })).snapshotId;
    /** Runs the cloud retention just before the first store of `kind`, then `also`. */
    const retentionBefore = (kind: string, also?: () => Promise<void>) => {
      server.beforePut = async (storing) => {
        if (storing !== kind) return;
        server.beforePut = undefined;
        const { prune } = await cloudRetention(server, repo, join(dir, 'cache-retention'));
        assert.equal(prune.packsRewritten, 1, 'the pack S3 relies on is rewritten without x');
        await also?.();
      };
    };
    /** Deletes the local packs the cloud no longer has (so replicate cannot send them again). */
    const loseLocalPacks = async () => {
      for (const packId of await repo.listPackIds())
        if (!server.objects.has(`data/${packId}`)) await unlink(repo.packPath(packId));
    };
    return { dir, server, s3, replicateNow, retentionBefore, loseLocalPacks };
  }

  for (const kind of ['index', 'snapshots']) {
    it(`sends the data again when the run ends before its ${kind} store`, async () => {
      const { dir, server, s3, replicateNow, retentionBefore } = await setUpRace();
      retentionBefore(kind);

      const result = await replicateNow();

      assert.deepEqual(result.problems, []);
      const checked = await checkCloudCopy(server, dir);
      assert.equal(checked.status, 'ok', JSON.stringify(checked.errors.slice(0, 3)));
      if (kind === 'index') {
        assert.equal(server.puts.at(-1), `snapshots/${s3}`, 'the snapshot is stored after the data');
      }
    });
  }

  it('does not store the snapshot when the data is lost and cannot be sent again', async () => {
    const { server, s3, replicateNow, retentionBefore, loseLocalPacks } = await setUpRace();
    retentionBefore('index', loseLocalPacks);

    const result = await replicateNow();

    assert.ok(!server.objects.has(`snapshots/${s3}`));
    assert.ok(
      result.problems.some((problem) => problem.includes(`snapshot ${s3.slice(0, 8)} not uploaded`)),
      result.problems.join('\n'),
    );
  });

  it('reports, never verifies, a stored snapshot whose data was lost and cannot be sent again', async () => {
    const { server, s3, replicateNow, retentionBefore, loseLocalPacks } = await setUpRace();
    retentionBefore('snapshots', loseLocalPacks);

    const result = await replicateNow();

    assert.ok(server.objects.has(`snapshots/${s3}`));
    assert.ok(
      result.problems.some((problem) =>
        problem.includes(`snapshots/${s3} is in the cloud, but the cloud lacks`),
      ),
      result.problems.join('\n'),
    );
  });
});
