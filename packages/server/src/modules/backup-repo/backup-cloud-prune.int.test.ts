import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BACKUP_CLI,
  FAST_KDF,
  backupCli as cli,
  backupCredential,
  cloudObjects,
  describeTree,
  summaryOf,
} from '../../testing/backup-cli.js';
import { MembersFixture } from '../../testing/members-fixture.js';

const MiB = 1024 * 1024;

/** The one entry of a directory (the cache's folder for this server). */
async function onlyEntry(path: string): Promise<string> {
  const entries = await readdir(path);
  assert.equal(entries.length, 1, entries.join(', '));
  return entries[0]!;
}

describe('cloud prune rewrites partly needed packs (real CLI, real server)', () => {
  let f: MembersFixture;
  let dir: string;
  let data: string;
  let agentEnv: Record<string, string>;
  /** The retention run: no local repository, so every pack it rewrites is downloaded. */
  let retentionEnv: Record<string, string>;
  let agent = '';

  before(async () => {
    // Lock period 0 days (objects may go at once); retention locks of 2 s, so the lock of a
    // killed run expires quickly (the live one is extended every ~0.7 s).
    f = await MembersFixture.start({
      TRESOR_BACKUP_LOCK_DAYS: '0',
      TRESOR_BACKUP_RETENTION_LOCK_SECONDS: '2',
    });
    const practice = await f.found('Praxis Umbau', 'u.primary');
    agent = await backupCredential(f.server.url, practice.token, 'agent');
    const retention = await backupCredential(f.server.url, practice.token, 'retention');
    dir = await mkdtemp(join(tmpdir(), 'tresor-cloud-prune-'));
    data = join(dir, 'praxis');
    await mkdir(data);
    const common = {
      TRESOR_BACKUP_PASSPHRASE: 'Praxis Umbau – Sicherung',
      TRESOR_BACKUP_CLOUD_URL: f.server.url,
    };
    agentEnv = {
      ...common,
      TRESOR_BACKUP_REPO: join(dir, 'repo'),
      TRESOR_BACKUP_CACHE: join(dir, 'cache-agent'),
      TRESOR_BACKUP_CLOUD_TOKEN: agent,
    };
    retentionEnv = {
      ...common,
      TRESOR_BACKUP_REPO: join(dir, 'no-local-repo'),
      TRESOR_BACKUP_CACHE: join(dir, 'cache-retention'),
      TRESOR_BACKUP_CLOUD_TOKEN: retention,
    };
    assert.equal((await cli(['init', ...FAST_KDF], agentEnv)).code, 0);
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Files to keep and files that go, interleaved so that their blobs share packs: a snapshot with
   * all of them, then one without the `gone-` files, replicated; the cloud forgets the first.
   * Its packs are then only partly needed.
   */
  const partlyNeededPacks = async (round: string, files: number, size: number) => {
    for (let i = 0; i < files; i++) {
      await writeFile(join(data, `keep-${round}-${i}.bin`), randomBytes(size));
      await writeFile(join(data, `gone-${round}-${i}.bin`), randomBytes(size));
    }
    assert.equal((await cli(['backup', data], agentEnv)).code, 0);
    for (let i = 0; i < files; i++) await unlink(join(data, `gone-${round}-${i}.bin`));
    assert.equal((await cli(['backup', data], agentEnv)).code, 0);
    const replicated = await cli(['replicate'], agentEnv);
    assert.equal(replicated.code, 0, replicated.stderr);
    const forgot = await cli(['forget', '--cloud-copy', '--keep-last', '1'], retentionEnv);
    assert.equal(forgot.code, 0, forgot.stderr);
  };

  const dataBytes = async () =>
    (await cloudObjects(f.server.url, agent))
      .filter((object) => object.kind === 'data')
      .reduce((sum, object) => sum + object.size, 0);

  /** A retention run, repeated while the lock of a killed one has not expired yet. */
  const pruneCloud = async () => {
    for (let attempt = 0; ; attempt++) {
      const out = await cli(['prune', '--cloud-copy', '--json'], retentionEnv);
      if (out.code === 0 || attempt === 20 || !out.stderr.includes('another cloud retention run')) return out;
      await sleep(500);
    }
  };

  /** The cloud copy alone (no local repository, a new cache) checks clean and restores `data`. */
  const assertCloudCopyRestores = async (name: string) => {
    const newMachine = {
      ...agentEnv,
      TRESOR_BACKUP_REPO: join(dir, `missing-${name}`),
      TRESOR_BACKUP_CACHE: join(dir, `cache-${name}`),
    };
    const checked = await cli(['check', '--cloud-copy', '--read-data'], newMachine);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const restored = await cli(['restore', 'latest', '--target', join(dir, name)], newMachine);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(await describeTree(join(dir, name, data.slice(1))), await describeTree(data));
  };

  it('copies the needed blobs into new packs, deletes the old packs, and the copy restores byte-identical', async () => {
    await partlyNeededPacks('a', 12, 256 * 1024);
    const before = await cloudObjects(f.server.url, agent);
    const bytesBefore = await dataBytes();

    const dry = await cli(['prune', '--cloud-copy', '--dry-run', '--json'], retentionEnv);
    assert.equal(dry.code, 0, dry.stderr);
    assert.ok((summaryOf(dry).packsRewritten as number) >= 1, dry.stdout);
    assert.deepEqual(await cloudObjects(f.server.url, agent), before, 'a dry run changes nothing');
    // Half of the pack is garbage: more than --max-unused 60 % would rewrite, less than 40 %.
    const tolerant = await cli(
      ['prune', '--cloud-copy', '--dry-run', '--max-unused', '60', '--json'],
      retentionEnv,
    );
    assert.equal(tolerant.code, 0, tolerant.stderr);
    assert.equal(summaryOf(tolerant).packsRewritten, 0, tolerant.stdout);
    assert.ok((summaryOf(tolerant).packsPartlyKept as number) >= 1, tolerant.stdout);
    const badLimit = await cli(['prune', '--cloud-copy', '--max-unused', '150'], retentionEnv);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /percentage from 0 to 100/);

    const pruned = await pruneCloud();
    assert.equal(pruned.code, 0, pruned.stderr);
    const summary = summaryOf(pruned);
    assert.ok((summary.packsRewritten as number) >= 1, pruned.stdout);
    assert.ok((summary.packsWritten as number) >= 1, pruned.stdout);
    assert.equal(summary.packsUnindexed, 0);
    assert.ok(
      (summary.packsFetched as number) + (summary.rangeRequests as number) >= 1,
      'the blobs to keep were downloaded (whole packs or ranges)',
    );
    // The forgotten files were 3 MiB of random data: at least most of that is gone.
    const freed = bytesBefore - (await dataBytes());
    assert.ok(freed > 2.5 * MiB, `freed ${freed} bytes`);
    const after = new Set((await cloudObjects(f.server.url, agent)).map((object) => object.name));
    const oldPacks = before.filter((object) => object.kind === 'data' && !after.has(object.name));
    assert.ok(oldPacks.length >= (summary.packsRewritten as number), 'the rewritten packs are gone');

    await assertCloudCopyRestores('r-rewritten');
    const again = await pruneCloud();
    assert.equal(again.code, 0, again.stderr);
    assert.equal(summaryOf(again).packsDeleted, 0);
    assert.equal(summaryOf(again).packsRewritten, 0);
    // The local repository still holds the forgotten snapshot and the old packs: replicate sends
    // neither again, and leaves the cloud copy consistent.
    const bytesAfterPrune = await dataBytes();
    const replicated = await cli(['replicate', '--json'], agentEnv);
    assert.equal(replicated.code, 0, replicated.stderr);
    assert.equal(summaryOf(replicated).uploadedObjects, 0, replicated.stdout);
    assert.equal(summaryOf(replicated).forgottenInCloud, 1, replicated.stdout);
    assert.equal(await dataBytes(), bytesAfterPrune);
    const snapshots = (await cloudObjects(f.server.url, agent)).filter((o) => o.kind === 'snapshots');
    assert.equal(snapshots.length, 1);
    await assertCloudCopyRestores('r-after-replicate');

    // The local disk loses the packs the cloud rewrote: a restore of the local snapshot finds
    // their blobs in the cloud's new packs (by the cloud's index, not by the lost packs' ids).
    const cloudPacks = new Set((await cloudObjects(f.server.url, agent)).map((object) => object.name));
    const dataDir = join(agentEnv.TRESOR_BACKUP_REPO!, 'data');
    let lost = 0;
    for (const prefix of await readdir(dataDir)) {
      for (const pack of await readdir(join(dataDir, prefix))) {
        if (cloudPacks.has(pack)) continue;
        await unlink(join(dataDir, prefix, pack));
        lost++;
      }
    }
    assert.ok(lost >= 1, 'the local repository held packs the cloud no longer has');
    const mixed = await cli(['restore', 'latest', '--target', join(dir, 'r-mixed'), '--json'], agentEnv);
    assert.equal(mixed.code, 0, mixed.stdout + mixed.stderr);
    assert.deepEqual(await describeTree(join(dir, 'r-mixed', data.slice(1))), await describeTree(data));
  });

  it('fetches only the blobs to keep as byte ranges, and stops before deleting anything when the server alters them', async () => {
    // A pack of which little stays: 2 files kept, 14 forgotten.
    for (let i = 0; i < 16; i++) await writeFile(join(data, `r-${i}.bin`), randomBytes(256 * 1024));
    assert.equal((await cli(['backup', data], agentEnv)).code, 0);
    for (let i = 2; i < 16; i++) await unlink(join(data, `r-${i}.bin`));
    assert.equal((await cli(['backup', data], agentEnv)).code, 0);
    assert.equal((await cli(['replicate'], agentEnv)).code, 0);
    assert.equal((await cli(['forget', '--cloud-copy', '--keep-last', '1'], retentionEnv)).code, 0);
    const before = await cloudObjects(f.server.url, agent);

    // The server's copy of every data pack gets a byte changed every 64 KiB (as a faulty or
    // hostile server would send): the ranges do not decrypt, and nothing is deleted.
    const stored = (name: string) =>
      join(f.server.storage.dataDir, 'blobs', 'sha256', name.slice(0, 2), name);
    const originals = new Map<string, Buffer>();
    for (const object of before.filter((o) => o.kind === 'data')) {
      const bytes = await readFile(stored(object.name));
      originals.set(object.name, bytes);
      const altered = Buffer.from(bytes);
      for (let at = 1000; at < altered.length; at += 64 * 1024) altered[at]! ^= 0xff;
      await writeFile(stored(object.name), altered);
    }
    const refused = await pruneCloud();
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /arrived damaged from the cloud.*nothing was deleted/);
    assert.deepEqual(await cloudObjects(f.server.url, agent), before);
    for (const [name, bytes] of originals) await writeFile(stored(name), bytes);

    const pruned = await pruneCloud();
    assert.equal(pruned.code, 0, pruned.stderr);
    const summary = summaryOf(pruned);
    assert.ok((summary.rangeRequests as number) >= 1, pruned.stdout);
    assert.equal(summary.packsFetched, 0, 'no pack was downloaded whole');
    assert.ok((summary.bytesFetchedInRanges as number) < 1024 * 1024, pruned.stdout);
    await assertCloudCopyRestores('r-ranged');
  });

  it('a cloud prune killed while it uploads or deletes is finished by the next one; no pack is left unindexed', async () => {
    let killedMidway = 0;
    // Kill when the cloud shows a new pack (uploads under way), when an object went (deletes
    // under way), and at a random moment.
    const triggers = ['uploaded', 'deleted', 'random'] as const;
    for (const [round, trigger] of triggers.entries()) {
      await partlyNeededPacks(`k${round}`, 10, 2 * MiB);
      const before = new Set((await cloudObjects(f.server.url, agent)).map((object) => object.name));
      const started = Date.now();
      const child = spawn(process.execPath, [BACKUP_CLI, 'prune', '--cloud-copy'], {
        env: { PATH: process.env.PATH ?? '', ...retentionEnv },
        stdio: 'ignore',
      });
      const exited = once(child, 'exit');
      const state = { running: true };
      void exited.then(() => (state.running = false));
      const randomDelay = 200 + Math.random() * 3000;
      while (state.running) {
        const now = (await cloudObjects(f.server.url, agent)).map((object) => object.name);
        const hit =
          trigger === 'uploaded'
            ? now.some((name) => !before.has(name))
            : trigger === 'deleted'
              ? now.length < before.size
              : Date.now() - started > randomDelay;
        if (hit) {
          child.kill('SIGKILL');
          killedMidway++;
          break;
        }
        await sleep(5);
      }
      await exited;

      const finished = await pruneCloud();
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(summaryOf(finished).packsUnindexed, 0, finished.stdout);
      const settled = await pruneCloud();
      assert.equal(summaryOf(settled).packsDeleted, 0, settled.stdout);
      assert.equal(summaryOf(settled).packsRewritten, 0, settled.stdout);
      assert.equal(summaryOf(settled).packsUnindexed, 0, settled.stdout);
      await assertCloudCopyRestores(`r-kill-${round}`);
    }
    assert.ok(killedMidway >= 2, `${killedMidway} of 3 runs were killed midway`);
  });

  it('a restore of one file from the cloud fetches its blobs as byte ranges, not whole packs', async () => {
    const one = join(data, 'r-1.bin');
    const newMachine = {
      ...agentEnv,
      TRESOR_BACKUP_REPO: join(dir, 'missing-one'),
      TRESOR_BACKUP_CACHE: join(dir, 'cache-one'),
    };
    const out = await cli(
      ['restore', 'latest', '--include', one, '--target', join(dir, 'r-one'), '--json'],
      newMachine,
    );
    assert.equal(out.code, 0, out.stdout + out.stderr);
    const summary = summaryOf(out);
    assert.equal(summary.files, 1);
    assert.ok((await readFile(join(dir, 'r-one', one.slice(1)))).equals(await readFile(one)));
    assert.equal(summary.packsReadInPart, 1, out.stdout);
    assert.ok((summary.bytesFetchedInRanges as number) < 512 * 1024, out.stdout);
    // Whole packs fetched: only the (small) tree packs for the directory listings.
    const cloudData = await dataBytes();
    assert.ok(
      (summary.bytesFetched as number) < cloudData / 10,
      `${String(summary.bytesFetched)} of ${cloudData}`,
    );
    assert.deepEqual(
      await readdir(join(dir, 'cache-one', await onlyEntry(join(dir, 'cache-one')), 'tmp')),
      [],
    );
  });
});
