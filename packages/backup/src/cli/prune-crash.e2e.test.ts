import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, jsonLines, runCli, spawnCli } from '../testing/cli-process.js';
import { describeTree, removeDir, sameTree, seededBytes, tempDir } from '../testing/fixtures.js';

/** Runs killed with SIGKILL that the test needs; it tries at most MAX_TRIES runs to get them. */
const KILLS = 3;
const MAX_TRIES = 10;

describe('crash safety (kill -9 of the built CLI during prune)', () => {
  let dir: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-prune-crash-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('leaves a repository that check accepts after each kill; the next prune completes', async (t) => {
    const source = join(dir, 'praxis');
    await mkdir(source);
    const repo = join(dir, 'repo');
    const env = { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: 'prune crash passphrase' };
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);
    // keep.bin shares its first pack with data that becomes garbage: that pack gets rewritten.
    await writeFile(join(source, 'keep.bin'), seededBytes('prune/keep', 4 << 20));
    const round = async (n: number): Promise<void> => {
      await writeFile(join(source, 'change.bin'), seededBytes(`prune/change/${n}`, 2 << 20));
      const backedUp = await runCli(['backup', '--workers', '2', source], env);
      assert.equal(backedUp.code, 0, backedUp.stderr);
      const forgot = await runCli(['forget', '--keep-last', '1'], env);
      assert.equal(forgot.code, 0, forgot.stderr);
    };
    await round(0);
    await round(1);
    const started = Date.now();
    const first = await runCli(['prune', '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    let duration = Date.now() - started;
    const summary = jsonLines(first.stdout).find((line) => line.type === 'summary');
    assert.ok((summary?.packsRemoved as number) >= 1, first.stdout);

    const kills: string[] = [];
    let killed = 0;
    for (let attempt = 0; killed < KILLS && attempt < MAX_TRIES; attempt++) {
      await round(2 + attempt);
      // A random point between 5 % and 95 % of the last complete run's duration. A run that
      // completes before its kill is measured again: the machine's current speed, not a guess.
      const delay = Math.floor(duration * (0.05 + 0.9 * Math.random()));
      const startedRun = Date.now();
      const child = spawnCli(['prune'], env);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearTimeout(timer);
      if (signal === 'SIGKILL') killed++;
      else duration = Date.now() - startedRun;
      kills.push(`${delay} of ${duration} ms: ${signal ?? `exit ${code}`}`);
      const checked = await runCli(['check'], env);
      assert.equal(checked.code, 0, `after ${kills.join(', ')}: ${checked.stdout}${checked.stderr}`);
    }
    t.diagnostic(`kills: ${kills.join(', ')}`);
    assert.ok(killed >= KILLS, `too few kills: ${kills.join(', ')}`);

    const final = await runCli(['prune', '--json'], env);
    assert.equal(final.code, 0, final.stderr);
    const again = jsonLines((await runCli(['prune', '--dry-run', '--json'], env)).stdout).find(
      (line) => line.type === 'summary',
    );
    assert.equal(again?.blobsRemoved, 0, 'the last prune left no garbage');
    const checked = await runCli(['check', '--read-data'], env);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const out = join(dir, 'restored');
    const restored = await runCli(['restore', 'latest', '--target', out], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(sameTree(await describeTree(join(out, source)), await describeTree(source)), []);
  });
});
