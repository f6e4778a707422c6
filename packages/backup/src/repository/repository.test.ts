import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isBackupError } from '../errors.js';
import { FORMAT_VERSION } from '../format.js';
import { TEST_KDF, TEST_PASSPHRASE, newTestRepository, removeDir, tempDir } from '../testing/fixtures.js';
import { layout } from './layout.js';
import { DamagedFileError, Repository } from './repository.js';

/** Every file below `root` with size and mtime: proves that nothing was written. */
async function fingerprint(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const stats = await stat(path, { bigint: true });
      out.push(`${path} ${stats.size} ${stats.mtimeNs}`);
      if (stats.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return out;
}

describe('Repository', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  it('init creates config, one key slot and the directories; open derives the same keys', async () => {
    const root = join(dir, 'a');
    const created = await newTestRepository(root);
    assert.deepEqual((await readdir(root)).sort(), ['config', 'data', 'index', 'keys', 'snapshots', 'tmp']);
    const config = JSON.parse(await readFile(layout.config(root), 'utf8')) as Record<string, unknown>;
    assert.equal(config.format, 'tresor-backup-repository');
    assert.equal(config.version, FORMAT_VERSION);
    assert.equal((await readdir(layout.keysDir(root))).length, 1);
    const opened = await Repository.open(root, TEST_PASSPHRASE);
    assert.deepEqual(opened.keys, created.keys);
    assert.equal(opened.slotId, created.slotId);
  });

  it('refuses a wrong passphrase clearly and writes nothing', async () => {
    const root = join(dir, 'b');
    await newTestRepository(root);
    const before = await fingerprint(root);
    await assert.rejects(Repository.open(root, 'falsches Passwort'), (error: unknown) => {
      assert.ok(isBackupError(error, 'key.wrong_passphrase'));
      assert.match(error.message, /wrong passphrase/);
      return true;
    });
    assert.deepEqual(await fingerprint(root), before);
  });

  it('refuses a repository of a newer format version before asking anything, and changes nothing', async () => {
    const root = join(dir, 'c');
    await newTestRepository(root);
    const config = JSON.parse(await readFile(layout.config(root), 'utf8')) as Record<string, unknown>;
    await writeFile(layout.config(root), JSON.stringify({ ...config, version: FORMAT_VERSION + 1 }));
    const before = await fingerprint(root);
    await assert.rejects(Repository.open(root, TEST_PASSPHRASE), (error: unknown) => {
      assert.ok(isBackupError(error, 'repo.newer_format'));
      assert.match(error.message, /format version 2.*update tresor-backup/);
      return true;
    });
    assert.deepEqual(await fingerprint(root), before);
  });

  it('refuses to init over an existing repository or a non-empty directory; says when there is none', async () => {
    const root = join(dir, 'd');
    await newTestRepository(root);
    await assert.rejects(newTestRepository(root), (e: unknown) => isBackupError(e, 'repo.already_exists'));
    const other = join(dir, 'e');
    await mkdir(other);
    await writeFile(join(other, 'file'), 'x');
    await assert.rejects(newTestRepository(other), (e: unknown) => isBackupError(e, 'repo.already_exists'));
    await assert.rejects(Repository.open(join(dir, 'none'), 'x'), (e: unknown) =>
      isBackupError(e, 'repo.not_found'),
    );
    await assert.rejects(Repository.open(other, 'x'), (e: unknown) => isBackupError(e, 'repo.not_found'));
  });

  it('supports several key slots; removing a slot revokes its passphrase but never the last one', async () => {
    const root = join(dir, 'f');
    const repo = await newTestRepository(root);
    const second = await repo.addKeySlot('zweites Passwort', TEST_KDF);
    assert.deepEqual((await Repository.open(root, 'zweites Passwort')).keys, repo.keys);
    assert.equal((await repo.listKeySlots()).length, 2);
    await repo.removeKeySlot(repo.slotId);
    await assert.rejects(Repository.open(root, TEST_PASSPHRASE), (e: unknown) =>
      isBackupError(e, 'key.wrong_passphrase'),
    );
    const reopened = await Repository.open(root, 'zweites Passwort');
    assert.equal(reopened.slotId, second);
    await assert.rejects(reopened.removeKeySlot(second), (e: unknown) => isBackupError(e, 'key.last_slot'));
  });

  it('opens with its genuine slot although planted slots sort first (newer format, absurd Argon2id settings)', async () => {
    // As anyone with an agent token can store in the cloud copy's keys/, which restores read.
    const root = join(dir, 'planted-slots');
    const repo = await newTestRepository(root);
    const genuine = JSON.parse(await readFile(layout.key(root, repo.slotId), 'utf8')) as {
      kdf: Record<string, unknown>;
    };
    const plant = (name: string, slot: unknown) => writeFile(layout.key(root, name), JSON.stringify(slot));
    await plant('00000000000000000000000000000000', { v: 2 });
    // The KDF cannot even run with 4 GiB here: before, this error stopped the opening.
    await plant('00000000000000000000000000000001', {
      ...genuine,
      kdf: { ...genuine.kdf, memoryKiB: 4 * 1024 * 1024, iterations: 100 },
    });
    // Minutes of work if tried: tried only after the cheaper genuine slot.
    await plant('00000000000000000000000000000002', {
      ...genuine,
      kdf: { ...genuine.kdf, memoryKiB: 1024 * 1024, iterations: 100 },
    });
    const opened = await Repository.open(root, TEST_PASSPHRASE);
    assert.equal(opened.slotId, repo.slotId);
    assert.deepEqual(opened.keys, repo.keys);
  });

  it('names encrypted files by the SHA-256 of their bytes and detects any change', async () => {
    const root = join(dir, 'g');
    const repo = await newTestRepository(root);
    const id = await repo.writeFile('snapshot', Buffer.from('{"v":1}'));
    assert.equal(Buffer.from(await repo.readFile('snapshot', id)).toString(), '{"v":1}');
    const path = layout.file(root, 'snapshot', id);
    const bytes = await readFile(path);
    bytes[bytes.length - 1]! ^= 0x10;
    await writeFile(path, bytes);
    const damaged = (name: string, reason: string) => (error: unknown) => {
      assert.ok(error instanceof DamagedFileError, String(error));
      assert.deepEqual([error.kind, error.id], ['snapshot', name]);
      assert.equal(error.message, `snapshot file ${name} does not ${reason}`);
      return true;
    };
    await assert.rejects(repo.readFile('snapshot', id), damaged(id, 'match its name'));
    // Named by the hash of the changed bytes, it matches its name but does not decrypt.
    const renamed = createHash('sha256').update(bytes).digest('hex');
    await rename(path, layout.file(root, 'snapshot', renamed));
    await assert.rejects(repo.readFile('snapshot', renamed), damaged(renamed, 'decrypt'));
  });
});
