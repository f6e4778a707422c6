import assert from 'node:assert/strict';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { isBackupError } from '../errors.js';
import { loadIndex } from '../repository/index-store.js';
import { Repository } from '../repository/repository.js';
import { loadSnapshots, resolveSnapshot } from '../repository/snapshot-store.js';
import { TEST_PASSPHRASE, newTestRepository, removeDir, tempDir } from '../testing/fixtures.js';
import { readEnvironment } from './environment.js';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';
import type { CliContext } from './session.js';

/**
 * `ls` and `diff` of a snapshot whose directory listing is damaged: a BackupError (one line, exit
 * code 1), not the engine's internal BlobDamaged, which the CLI prints with a stack trace as a bug.
 */
describe('ls and diff of a damaged snapshot', () => {
  let dir: string;
  let repoRoot: string;
  before(async () => {
    dir = await tempDir();
    const source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'a.txt'), 'a');
    repoRoot = join(dir, 'repo');
    const repo = await newTestRepository(repoRoot);
    await backup(repo, { paths: [source], workers: 1 });
    await writeFile(join(source, 'b.txt'), 'b');
    await backup(repo, { paths: [source], workers: 1 });
    // One bit of the latest snapshot's root listing flipped.
    const entry = (await loadIndex(repo)).index.get((await resolveSnapshot(repo, 'latest')).snapshot.tree)!;
    const handle = await open(repo.packPath(entry.packId), 'r+');
    const byte = new Uint8Array(1);
    const at = entry.offset + (entry.length >> 1);
    await handle.read(byte, 0, 1, at);
    byte[0]! ^= 1;
    await handle.write(byte, 0, 1, at);
    await handle.close();
  });
  after(async () => {
    await removeDir(dir);
  });

  async function run(args: readonly string[]): Promise<unknown> {
    const sink = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    const context: CliContext = {
      env: readEnvironment({ TRESOR_BACKUP_REPO: repoRoot, TRESOR_BACKUP_PASSPHRASE: TEST_PASSPHRASE }),
      terminal: { stdin: process.stdin, stderr: sink },
      stdout: sink,
      stderr: sink,
      exitCode: ExitCode.ok,
    };
    return buildProgram(context)
      .parseAsync(['node', 'tresor-backup', ...args])
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
  }

  it('tresor-backup ls latest, ls -l latest /', async () => {
    for (const args of [
      ['ls', 'latest'],
      ['ls', '-l', 'latest', '/'],
    ]) {
      const error = await run(args);
      assert.ok(isBackupError(error, 'repo.damaged'), String(error));
      assert.match(error.message, /does not decrypt.*run "tresor-backup check"/);
    }
  });

  it('tresor-backup diff FIRST latest', async () => {
    const { snapshots } = await loadSnapshots(await Repository.open(repoRoot, TEST_PASSPHRASE));
    const error = await run(['diff', snapshots[0]!.id.slice(0, 8), 'latest']);
    assert.ok(isBackupError(error, 'repo.damaged'), String(error));
  });
});
