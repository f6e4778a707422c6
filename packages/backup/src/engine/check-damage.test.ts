import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, open, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { BackupError } from '../errors.js';
import { BlobType, Codec } from '../format.js';
import { decodeIndex } from '../repository/index-format.js';
import { loadIndex, writeIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { resolveSnapshot } from '../repository/snapshot-store.js';
import { newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { backup } from './backup.js';
import { check } from './check.js';
import { restore } from './restore.js';

/** `check` finds every kind of damage at once and goes on after each (docs/BACKUP_FORMAT.md, "Integrity"). */
describe('check of a damaged repository', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  /** Three backups of a directory, each after adding one file: each adds a data pack, an index file and a snapshot. */
  async function threeBackups(name: string) {
    const source = join(dir, `${name}-source`);
    await mkdir(source);
    const repo = await newTestRepository(join(dir, name));
    const added: { dataPack: string; index: string; snapshot: string; file: string }[] = [];
    for (const i of [1, 2, 3]) {
      const file = join(source, `file-${i}.bin`);
      await writeFile(file, seededBytes(`${name}/${i}`, 40_000));
      const packsBefore = new Set(await repo.listPackIds());
      const indexBefore = new Set(await repo.listFiles('index'));
      const { snapshotId } = await backup(repo, { paths: [source], workers: 1 });
      const { index } = await loadIndex(repo);
      const [dataPack] = (await repo.listPackIds()).filter(
        (id) => !packsBefore.has(id) && index.entriesOf(id)!.every((entry) => entry.type === BlobType.data),
      );
      const [indexFile] = (await repo.listFiles('index')).filter((id) => !indexBefore.has(id));
      added.push({ dataPack: dataPack!, index: indexFile!, snapshot: snapshotId, file });
    }
    return { repo, added };
  }

  async function flipByte(path: string, fromEnd: number): Promise<void> {
    const handle = await open(path, 'r+');
    try {
      const { size } = await handle.stat();
      const byte = new Uint8Array(1);
      await handle.read(byte, 0, 1, size - fromEnd);
      byte[0]! ^= 0x40;
      await handle.write(byte, 0, 1, size - fromEnd);
    } finally {
      await handle.close();
    }
  }

  it('reports a truncated pack, a crafted pack trailer, an emptied index and an unreadable snapshot, and goes on', async () => {
    const { repo, added } = await threeBackups('many');
    const [one, two, three] = added as [(typeof added)[0], (typeof added)[0], (typeof added)[0]];
    await truncate(repo.packPath(one.dataPack), 100);
    await flipByte(repo.packPath(two.dataPack), 5); // the header length's top byte: ~1 GiB
    await writeFile(layout.file(repo.root, 'index', three.index), '');
    // A directory where a snapshot file should be (bad disk, or planted).
    const snapshotPath = layout.file(repo.root, 'snapshot', one.snapshot);
    await rm(snapshotPath);
    await mkdir(snapshotPath);

    for (const readData of [false, true]) {
      const result = await check(repo, { readData, workers: 1 });
      assert.equal(result.status, 'problems');
      const text = result.errors.join('\n');
      assert.match(text, new RegExp(`pack ${one.dataPack.slice(0, 12)} is truncated`));
      assert.match(text, new RegExp(`index file ${three.index}`));
      assert.match(text, new RegExp(`snapshot file ${one.snapshot}`));
      if (readData) {
        assert.match(text, new RegExp(`pack ${two.dataPack.slice(0, 12)} does not match its name`));
        assert.match(text, new RegExp(`pack ${two.dataPack.slice(0, 12)}: pack header length out of range`));
      }
      // Snapshot 1 cannot be read; snapshot 2 needs file 1 (the truncated pack); the packs of
      // snapshot 3, its listings among them, are no longer indexed.
      assert.deepEqual(
        result.affected.map((a) => [a.snapshot, a.path]).sort(),
        [
          [two.snapshot, one.file],
          [three.snapshot, '/'],
        ].sort(),
        JSON.stringify(result.affected),
      );
    }
  });

  it('reports a pack that arrives damaged from elsewhere (the cloud) and checks the others', async () => {
    const { repo, added } = await threeBackups('remote');
    const listing = await repo.listPacks(); // the cloud's listing: every pack, with its size
    const lost = added[1]!.dataPack;
    await rm(repo.packPath(lost));
    repo.addPackSource({
      remote: true,
      locate: (packId) =>
        Promise.reject(
          new BackupError('cloud.damaged', `pack ${packId.slice(0, 12)} arrived damaged from the cloud`),
        ),
    });
    const result = await check(repo, { readData: true, workers: 1, packs: listing });
    assert.equal(result.status, 'problems');
    assert.deepEqual(
      result.errors.filter((error) => !error.includes('cannot be fully restored')),
      [`pack ${lost.slice(0, 12)} cannot be read: pack ${lost.slice(0, 12)} arrived damaged from the cloud`],
    );
    assert.deepEqual(
      result.affected.map((a) => [a.snapshot, a.path]).sort(),
      [
        [added[1]!.snapshot, added[1]!.file],
        [added[2]!.snapshot, added[1]!.file],
      ].sort(),
    );
    assert.equal(result.stats.blobsRead, result.stats.blobs - 1);
  });

  it('checks a pack that the index says holds 150,000 blobs', async () => {
    const repo: Repository = await newTestRepository(join(dir, 'many-blobs'));
    const entries = Array.from({ length: 150_000 }, (_, i) => ({
      type: BlobType.data,
      codec: Codec.none,
      id: createHash('sha256').update(String(i)).digest('hex') as BlobId,
      offset: i * 40,
      length: 40,
      rawLength: 12,
    }));
    await writeIndex(repo, [{ packId: 'ab'.repeat(32), entries }]);
    const result = await check(repo);
    assert.deepEqual(result.errors, [`pack ${'ab'.repeat(6)} is missing (150000 blobs)`]);
  });
});

describe('an index that claims absurd blob lengths (written by a bug, or by a holder of the key)', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  it('is damage to report, not a 4 GiB read buffer: check --read-data, restore', async () => {
    const source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'a.bin'), seededBytes('a', 30_000));
    await writeFile(join(source, 'b.bin'), seededBytes('b', 30_000));
    const repo = await newTestRepository(join(dir, 'repo'));
    await backup(repo, { paths: [source], workers: 1 });
    const records = [];
    for (const id of await repo.listFiles('index')) {
      records.push(...decodeIndex(await repo.readFile('index', id)));
      await rm(layout.file(repo.root, 'index', id));
    }
    const [victim] = records
      .flatMap((record) => record.entries)
      .filter((entry) => entry.type === BlobType.data);
    await writeIndex(
      repo,
      records.map((record) => ({
        packId: record.packId,
        entries: record.entries.map((entry) => (entry === victim ? { ...entry, length: 0xfffffff0 } : entry)),
      })),
    );

    const checked = await check(repo, { readData: true, workers: 1 });
    assert.equal(checked.status, 'problems');
    // The pack seems truncated (shorter than that blob's end): both files in it are reported.
    assert.match(checked.errors[0]!, /is truncated/);
    assert.equal(checked.affected.length, 2, JSON.stringify(checked));

    const target = join(dir, 'restored');
    const restored = await restore(repo, await resolveSnapshot(repo, 'latest'), { target, workers: 1 });
    assert.equal(restored.status, 'partial');
    assert.equal(restored.errors.length, 1, JSON.stringify(restored.errors));
    assert.equal(restored.files, 1);
  });
});
