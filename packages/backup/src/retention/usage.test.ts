import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { isBackupError } from '../errors.js';
import { sealFile } from '../repository/file-envelope.js';
import { loadIndex } from '../repository/index-store.js';
import { type FileKind, layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { resolveSnapshot } from '../repository/snapshot-store.js';
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

    it(`leaves out a foreign ${kind} file sealed without the key, not a damaged one beside it`, async () => {
      const repo: Repository = await newTestRepository(join(dir, `beside-${kind}`));
      const source = join(dir, `source-beside-${kind}`);
      await mkdir(source);
      await writeFile(join(source, 'befund.bin'), seededBytes(`usage/beside/${kind}`, 50_000));
      await backup(repo, { paths: [source], workers: 1, scan: false });
      // Named by its hash but not sealed with the key: no holder of the key wrote it.
      const junk = seededBytes(`usage/beside/junk/${kind}`, 300);
      const foreign = sha256(junk);
      await writeFile(layout.file(repo.root, kind, foreign), junk);
      // A real file changed here (one bit): it no longer matches its name, nor what the cloud
      // lists under it. Damage, which the foreign file beside it must not hide.
      const damaged = (await readdir(layout.dir(repo.root, kind))).find((name) => name !== foreign)!;
      const path = layout.file(repo.root, kind, damaged);
      const original = await readFile(path);
      const changed = Buffer.from(original);
      changed[changed.length - 1]! ^= 0x01;
      await writeFile(path, changed);
      const options: UsageOptions = {
        cloudSha256: (listed, id) =>
          listed === kind && id === foreign ? foreign : id === damaged ? damaged : undefined,
      };

      await assert.rejects(repositoryUsage(repo, options), (error: unknown) => {
        assert.ok(isBackupError(error, 'repo.damaged'), String(error));
        assert.ok(error.message.includes(`${kind} file ${damaged} does not match its name`), error.message);
        assert.ok(!error.message.includes('more'), error.message);
        return true;
      });
      await writeFile(path, original);
      const usage = await repositoryUsage(repo, options);
      assert.deepEqual(usage.foreign, [
        { kind, id: foreign, reason: 'it does not decrypt with the repository key' },
      ]);
      assert.equal(usage.snapshots.length, 1);
    });
  }
});

describe('repository usage of a snapshot whose directory listing is damaged', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-usage-tree-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('refuses with repo.damaged (one line for the CLI), not the engine’s internal error', async () => {
    const repo = await newTestRepository(join(dir, 'repo'));
    const source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'befund.bin'), seededBytes('usage/tree', 20_000));
    await backup(repo, { paths: [source], workers: 1, scan: false });
    // One bit of the snapshot's root listing flipped in its pack.
    const tree = (await resolveSnapshot(repo, 'latest')).snapshot.tree;
    const entry = (await loadIndex(repo)).index.get(tree)!;
    const handle = await open(repo.packPath(entry.packId), 'r+');
    const byte = new Uint8Array(1);
    const at = entry.offset + (entry.length >> 1);
    await handle.read(byte, 0, 1, at);
    byte[0]! ^= 1;
    await handle.write(byte, 0, 1, at);
    await handle.close();

    await assert.rejects(repositoryUsage(repo), (error: unknown) => {
      assert.ok(isBackupError(error, 'repo.damaged'), String(error));
      assert.match((error as Error).message, /tresor-backup check/);
      return true;
    });
  });
});
