import assert from 'node:assert/strict';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_PATH, assertBuilt, runCli } from '../testing/cli-process.js';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { execFileSync, spawnSync } from 'node:child_process';

/** `nobody`: the tests run as root, which no file mode stops. */
const NOBODY = { uid: 65534, gid: 65534 };

describe('restore as a user without privileges (built CLI)', () => {
  let dir: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-unprivileged-');
    await chmod(dir, 0o755);
  });
  after(async () => {
    await removeDir(dir);
  });

  /** Whether `nobody` can run this checkout's CLI (not when it lies below a private home). */
  const nobodyCanRunCli = () =>
    spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(CLI_PATH)})`], {
      ...NOBODY,
      stdio: 'ignore',
    }).status === 0;

  it('restores a directory whose mode denies searching it, applying directory modes deepest first', async (t) => {
    if (!nobodyCanRunCli()) {
      t.skip(`the user nobody cannot read ${CLI_PATH} (a checkout below a private directory)`);
      return;
    }
    const source = join(dir, 'praxis');
    await mkdir(join(source, 'gesperrt', 'innen'), { recursive: true });
    await writeFile(join(source, 'gesperrt', 'innen', 'befund.txt'), 'Befund');
    await chmod(join(source, 'gesperrt', 'innen'), 0o750);
    await chmod(join(source, 'gesperrt'), 0o600); // no search permission for its owner
    const repo = join(dir, 'repo');
    const env = { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: 'unprivileged restore' };
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);
    const saved = await runCli(['backup', source], env);
    assert.equal(saved.code, 0, saved.stderr);
    execFileSync('chmod', ['-R', 'a+rwX', repo]); // the repository is the user's
    const target = join(dir, 'target');
    await mkdir(target);
    await chown(target, NOBODY.uid, NOBODY.gid);

    const restored = await runCli(['restore', 'latest', '--target', target], env, 60_000, NOBODY);
    assert.equal(restored.code, 0, restored.stderr);
    const locked = join(target, source, 'gesperrt');
    assert.equal((await stat(locked)).mode & 0o777, 0o600);
    await chmod(locked, 0o700); // as root, to look inside
    assert.equal((await stat(join(locked, 'innen'))).mode & 0o777, 0o750);
    assert.equal(await readFile(join(locked, 'innen', 'befund.txt'), 'utf8'), 'Befund');
  });
});
