import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { layout } from '../repository/layout.js';
import { assertBuilt, runCli, spawnCli } from '../testing/cli-process.js';
import {
  describeTree,
  generateTree,
  removeDir,
  sameTree,
  seededBytes,
  seededText,
  tempDir,
} from '../testing/fixtures.js';

const KILLS = 6;
const BIG = 24 << 20;

describe('crash safety (kill -9 of the built CLI during backup)', () => {
  let dir: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-crash-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('leaves a repository that check finds consistent after each kill; the next run completes and restores', async () => {
    const source = join(dir, 'praxis');
    await generateTree(source, { seed: 'crash', documents: 150, bigRandomBytes: BIG, databasePages: 1024 });
    const repo = join(dir, 'repo');
    const env = { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: 'crash test passphrase' };
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);

    const first = await runCli(['backup', '--workers', '2', source], env);
    assert.equal(first.code, 0, first.stderr);
    /** New data every time, so each run has packs, index files and a snapshot to write. */
    const change = async (attempt: number) => {
      await writeFile(join(source, 'db', 'images.bin'), seededBytes(`crash/${attempt}`, BIG));
      await writeFile(
        join(source, 'docs', `nachtrag-${attempt}.xml`),
        seededText(`crash/${attempt}`, 200_000),
      );
    };
    // An uninterrupted run of the kind that is killed below: its duration bounds the kill points.
    // (The first run's would not: it reads every file, the later ones only the changed ones, and
    // with kill points past their end too few runs were killed, 1 in ~6 test runs.)
    await change(-1);
    const started = Date.now();
    const calibration = await runCli(['backup', '--workers', '2', source], env);
    assert.equal(calibration.code, 0, calibration.stderr);
    const duration = Date.now() - started;

    const kills: string[] = [];
    for (let attempt = 0; attempt < KILLS; attempt++) {
      await change(attempt);
      const child = spawnCli(['backup', '--workers', '2', source], env);
      const delay = Math.floor(Math.random() * duration);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearTimeout(timer);
      kills.push(`${delay} of ${duration} ms: ${signal ?? `exit ${code}`}`);
      const checked = await runCli(['check'], env);
      assert.equal(checked.code, 0, `after ${kills.join(', ')}: ${checked.stdout}${checked.stderr}`);
    }
    // Most runs are killed; all of them finishing would mean the kill points are off.
    assert.ok(
      kills.filter((kill) => kill.endsWith('SIGKILL')).length >= 2,
      `too few kills: ${kills.join(', ')}`,
    );

    const final = await runCli(['backup', source], env);
    assert.equal(final.code, 0, final.stderr);
    assert.deepEqual(await readdir(layout.tmpDir(repo)), [], 'temp files of killed runs are cleaned up');
    const checked = await runCli(['check', '--read-data'], env);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const out = join(dir, 'restored');
    const restored = await runCli(['restore', 'latest', '--target', out], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(sameTree(await describeTree(join(out, source)), await describeTree(source)), []);
  });
});
