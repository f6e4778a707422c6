import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { check } from '../engine/check.js';
import { restore } from '../engine/restore.js';
import { isBackupError } from '../errors.js';
import { loadIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import { lockExclusive, lockShared } from '../repository/lock.js';
import type { Repository } from '../repository/repository.js';
import { loadSnapshots } from '../repository/snapshot-store.js';
import {
  describeTree,
  newTestRepository,
  removeDir,
  sameTree,
  seededBytes,
  tempDir,
} from '../testing/fixtures.js';
import { planRetention, removeSnapshots } from './forget.js';
import { type PruneStep, prune } from './prune.js';

const WORKERS = 1;

/** Three snapshots: `keep.bin` in all, `a.bin` only in the first, `b.bin` in the first two. */
async function threeSnapshots(dir: string, name: string): Promise<{ repo: Repository; source: string }> {
  const source = join(dir, `${name}-src`);
  await mkdir(source, { recursive: true });
  const repo = await newTestRepository(join(dir, `${name}-repo`));
  await writeFile(join(source, 'keep.bin'), seededBytes(`${name}/keep`, 300_000));
  await writeFile(join(source, 'a.bin'), seededBytes(`${name}/a`, 200_000));
  await writeFile(join(source, 'b.bin'), seededBytes(`${name}/b`, 100_000));
  await backup(repo, { paths: [source], workers: WORKERS, scan: false });
  await writeFile(join(source, 'a.bin'), seededBytes(`${name}/a2`, 50_000));
  await backup(repo, { paths: [source], workers: WORKERS, scan: false });
  await writeFile(join(source, 'b.bin'), seededBytes(`${name}/b2`, 20_000));
  await writeFile(join(source, 'a.bin'), seededBytes(`${name}/a3`, 10_000));
  await backup(repo, { paths: [source], workers: WORKERS, scan: false });
  return { repo, source };
}

async function assertRepositoryHealthy(repo: Repository, source: string, dir: string): Promise<void> {
  const checked = await check(repo, { readData: true, workers: WORKERS });
  assert.deepEqual(checked.errors, []);
  // Backups and prune's rewrites keep trees and data in packs of their own.
  const { index } = await loadIndex(repo);
  for (const [packId, entries] of index.packs()) {
    assert.equal(new Set(entries.map((entry) => entry.type)).size, 1, `pack ${packId} mixes kinds`);
  }
  const { snapshots } = await loadSnapshots(repo);
  const latest = snapshots.at(-1)!;
  const target = join(dir, `restored-${latest.id.slice(0, 8)}-${Date.now()}`);
  const restored = await restore(repo, latest, { target, workers: WORKERS });
  assert.equal(restored.status, 'complete');
  assert.deepEqual(sameTree(await describeTree(join(target, source)), await describeTree(source)), []);
}

describe('forget and prune', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-prune-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it("the size rule's freed bytes are exactly what prune then removes", async () => {
    const { repo, source } = await threeSnapshots(dir, 'size');
    const { snapshots } = await loadSnapshots(repo);
    const sizeNow = (await planRetention(repo, {})).liveBytesBefore;
    // Just below today's size: forgetting the oldest snapshot (unique: the first a.bin) suffices.
    const decided = await planRetention(repo, { maxTotalBytes: sizeNow - 1 });
    const gone = decided.decisions.filter((d) => d.forget);
    assert.deepEqual(
      gone.map((d) => [d.id, d.reasons]),
      [[snapshots[0]!.id, ['max-total-size']]],
    );
    const freed = gone[0]!.freedBytes;
    assert.ok(freed > 150_000, `the first a.bin (200 kB, random) must be freed: ${freed}`);
    assert.equal(decided.liveBytesAfter, sizeNow - freed);

    await removeSnapshots(
      repo,
      gone.map((d) => d.id),
    );
    const pruned = await prune(repo);
    assert.equal(pruned.bytesRemoved, freed, 'prune removes exactly the bytes forget promised');
    assert.ok(pruned.packsRemoved >= 1);
    assert.ok(pruned.packBytesAfter < pruned.packBytesBefore);
    assert.equal((await planRetention(repo, {})).liveBytesBefore, sizeNow - freed);
    await assertRepositoryHealthy(repo, source, dir);
    const again = await prune(repo);
    assert.equal(again.packsRemoved, 0, 'nothing left to do');
  });

  it('--max-unused leaves partly needed packs alone while their garbage is within the limit', async () => {
    const { repo, source } = await threeSnapshots(dir, 'unused');
    const { snapshots } = await loadSnapshots(repo);
    await removeSnapshots(repo, [snapshots[0]!.id]);
    // The first snapshot's data pack also holds keep.bin: ~200 kB of its ~600 kB go.
    const tolerant = await prune(repo, { maxUnused: 0.5 });
    assert.equal(tolerant.packsRewritten, 0);
    assert.ok(tolerant.packsPartlyKept >= 1, JSON.stringify(tolerant));
    assert.ok(tolerant.bytesUnusedKept > 150_000);
    await assertRepositoryHealthy(repo, source, dir);

    const strict = await prune(repo, { maxUnused: 0 });
    assert.ok(strict.packsRewritten >= 1, JSON.stringify(strict));
    assert.equal(strict.packsPartlyKept, 0);
    assert.ok(strict.bytesRemoved >= tolerant.bytesUnusedKept);
    await assertRepositoryHealthy(repo, source, dir);
  });

  it('a prune stopped after each step leaves a repository check accepts; the next prune completes', async () => {
    const steps: PruneStep[] = ['packs-written', 'index-written', 'old-index-removed'];
    for (const stop of steps) {
      const { repo, source } = await threeSnapshots(dir, `stop-${stop}`);
      const { snapshots } = await loadSnapshots(repo);
      await removeSnapshots(repo, [snapshots[0]!.id, snapshots[1]!.id]);
      const expected = (await prune(repo, { dryRun: true })).bytesRemoved;
      await assert.rejects(
        prune(repo, {
          afterStep: async (step) => {
            if (step === stop) throw new Error(`stopped after ${step}`);
            await Promise.resolve();
          },
        }),
        /stopped after/,
      );
      const between = await check(repo, { workers: WORKERS });
      assert.deepEqual(between.errors, [], `after ${stop}`);
      const finished = await prune(repo);
      assert.ok(finished.packsRemoved >= 1 || stop === 'old-index-removed', `after ${stop}`);
      assert.equal((await prune(repo, { dryRun: true })).bytesRemoved, 0, `after ${stop}: all garbage gone`);
      const live = (await planRetention(repo, {})).liveBytesBefore;
      const packs = await repo.listPacks();
      const packBytes = [...packs.values()].reduce((a, b) => a + b, 0);
      assert.ok(packBytes >= live && packBytes < live + 64 * 1024, `after ${stop}: ${packBytes} vs ${live}`);
      assert.ok(expected > 0);
      await assertRepositoryHealthy(repo, source, dir);
      assert.deepEqual(await readdir(layout.locksDir(repo.root)), [], 'locks released');
    }
  });

  it('a backup and a prune exclude each other; locks of dead processes are stale', async () => {
    const { repo, source } = await threeSnapshots(dir, 'lock');
    const exclusive = await lockExclusive(repo.root);
    await assert.rejects(backup(repo, { paths: [source], workers: WORKERS, scan: false }), (error: unknown) =>
      isBackupError(error, 'repo.locked'),
    );
    await exclusive.release();
    const shared = await lockShared(repo.root);
    await assert.rejects(prune(repo), (error: unknown) => isBackupError(error, 'repo.locked'));
    await shared.release();
    // A lock left by a process that is gone (kill -9) does not block.
    await writeFile(
      join(layout.locksDir(repo.root), 'exclusive'),
      JSON.stringify({
        pid: 2 ** 22 + 17,
        hostname: (await import('node:os')).hostname(),
        createdAt: '2026-01-01T00:00:00Z',
      }),
    );
    const result = await backup(repo, { paths: [source], workers: WORKERS, scan: false });
    assert.equal(result.status, 'complete');
  });

  it('a lock file without its content is a lock being taken while fresh, and stale after a minute', async () => {
    const { repo } = await threeSnapshots(dir, 'half-written');
    const path = join(layout.locksDir(repo.root), 'exclusive');
    await writeFile(path, ''); // as an earlier version left it between creating and writing it
    await assert.rejects(lockExclusive(repo.root), (error: unknown) => isBackupError(error, 'repo.locked'));
    assert.equal(await readFile(path, 'utf8'), '', 'a fresh one is not removed');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(path, twoMinutesAgo, twoMinutesAgo);
    const lock = await lockExclusive(repo.root);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid, 'written whole');
    await lock.release();
    assert.deepEqual(await readdir(layout.locksDir(repo.root)), [], 'no lock and no temp file left');
  });
});
