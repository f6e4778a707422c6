import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { isBackupError } from '../errors.js';
import { sealFile } from '../repository/file-envelope.js';
import { type FileKind, layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { type UsageOptions, repositoryUsage } from './usage.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const other = (kind: FileKind): FileKind => (kind === 'index' ? 'snapshot' : 'index');

describe('repository usage with foreign files (the cloud copy)', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-usage-');
  });
  after(async () => {
    await removeDir(dir);
  });

  for (const kind of ['snapshot', 'index'] as const) {
    it(`still refuses a damaged ${kind} file when a foreign ${other(kind)} file has the same name`, async () => {
      const repo: Repository = await newTestRepository(join(dir, `repo-${kind}`));
      const source = join(dir, `source-${kind}`);
      await mkdir(source);
      await writeFile(join(source, 'befund.bin'), seededBytes(`usage/${kind}`, 50_000));
      await backup(repo, { paths: [source], workers: 1, scan: false });

      // Real damage: sealed with the repository key (named by its hash), but it does not parse.
      const sealed = sealFile(
        repo.keys.encryption,
        kind,
        kind === 'snapshot' ? Buffer.from('{"v":1}') : Buffer.from([7, 0, 0, 0]),
      );
      const name = sha256(sealed);
      await writeFile(layout.file(repo.root, kind, name), sealed);
      // A foreign file of the other kind under the same name: bytes the cloud lists, not its hash.
      const junk = seededBytes(`usage/junk/${kind}`, 300);
      const foreignPath = layout.file(repo.root, other(kind), name);
      await writeFile(foreignPath, junk);
      const options: UsageOptions = {
        cloudSha256: (listed, id) => (listed === other(kind) && id === name ? sha256(junk) : undefined),
      };

      await assert.rejects(repositoryUsage(repo, options), (error: unknown) => {
        assert.ok(isBackupError(error, 'repo.damaged'), String(error));
        assert.match(error.message, new RegExp(`${kind}(?: file)? ${name}`));
        assert.match(error.message, /refusing to apply retention/);
        return true;
      });

      // Without the damaged file, the foreign one is only left out and listed.
      await unlink(layout.file(repo.root, kind, name));
      const usage = await repositoryUsage(repo, options);
      assert.deepEqual(
        usage.foreign.map(({ kind: foreignKind, id }) => [foreignKind, id]),
        [[other(kind), name]],
      );
      assert.equal(usage.snapshots.length, 1);
    });
  }
});
