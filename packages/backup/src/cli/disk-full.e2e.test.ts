import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { layout } from '../repository/layout.js';
import { assertBuilt, runCli } from '../testing/cli-process.js';
import { removeDir, seededBytes, tempDir } from '../testing/fixtures.js';

/**
 * A repository on a real, small file system (an 8 MiB tmpfs): a backup that does not fit fails
 * cleanly and leaves the repository as it was. Mounting needs root: the test command runs as
 * root on CI (where it also installs PostgreSQL with apt-get).
 */
describe('disk full on the repository (built CLI, 8 MiB tmpfs)', () => {
  let dir: string;
  let disk: string;
  let mounted = false;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-full-');
    disk = join(dir, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
    mounted = true;
  });
  after(async () => {
    if (mounted) execFileSync('umount', [disk]);
    await removeDir(dir);
  });

  it('fails with a clear message and no stack trace, keeps the repository intact, and the next run completes', async () => {
    const source = join(dir, 'praxis');
    await mkdir(source);
    const first = seededBytes('full/first', 3 << 20);
    await writeFile(join(source, 'befund.bin'), first);
    const repo = join(disk, 'repo');
    const env = { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: 'disk full passphrase' };
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);
    const saved = await runCli(['backup', source], env);
    assert.equal(saved.code, 0, saved.stderr);

    await writeFile(join(source, 'roentgen.bin'), seededBytes('full/big', 20 << 20));
    const full = await runCli(['backup', source], env);
    assert.equal(full.code, 1);
    assert.match(full.stderr, /the disk is full .*ENOSPC.*the repository is as it was/s);
    assert.doesNotMatch(full.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await readdir(layout.tmpDir(repo)), [], 'no half-written file left');

    const checked = await runCli(['check', '--read-data'], env);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const listed = await runCli(['snapshots', '--json'], env);
    const { snapshots } = JSON.parse(listed.stdout) as { snapshots: unknown[] };
    assert.equal(snapshots.length, 1, 'the failed run left no snapshot');

    await rm(join(source, 'roentgen.bin'));
    const next = await runCli(['backup', source], env);
    assert.equal(next.code, 0, next.stderr);
    const target = join(dir, 'restored');
    assert.equal((await runCli(['restore', 'latest', '--target', target], env)).code, 0);
    assert.ok((await readFile(join(target, source.slice(1), 'befund.bin'))).equals(first));
  });
});
