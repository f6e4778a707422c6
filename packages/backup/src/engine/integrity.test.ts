import assert from 'node:assert/strict';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { loadIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { resolveSnapshot } from '../repository/snapshot-store.js';
import {
  describeTree,
  generateTree,
  newTestRepository,
  removeDir,
  sameTree,
  tempDir,
} from '../testing/fixtures.js';
import { backup } from './backup.js';
import { check } from './check.js';
import { PackReader } from './pack-reader.js';
import { newProgress } from './progress.js';
import { restore } from './restore.js';
import { TreeLoader } from './tree-loader.js';
import { walkTree } from './tree-walk.js';

/** Flips one bit in the middle of the stored form of `path`'s first blob (or of a directory's listing). */
async function flipBitOf(repo: Repository, path: string, which: 'content' | 'listing'): Promise<void> {
  const { index } = await loadIndex(repo);
  const reader = new PackReader(repo);
  let blob: BlobId | undefined;
  try {
    const { snapshot } = await resolveSnapshot(repo, 'latest');
    for await (const { path: p, node } of walkTree(new TreeLoader(repo, index, reader), snapshot.tree)) {
      if (p !== path) continue;
      if (which === 'content' && node.type === 'file') blob = node.content[0];
      if (which === 'listing' && node.type === 'dir') blob = node.subtree;
    }
  } finally {
    await reader.close();
  }
  const entry = blob === undefined ? undefined : index.get(blob);
  assert.ok(entry, `no blob for ${path}`);
  const handle = await open(repo.packPath(entry.packId), 'r+');
  const at = entry.offset + Math.floor(entry.length / 2);
  const byte = new Uint8Array(1);
  await handle.read(byte, 0, 1, at);
  byte[0]! ^= 0x08;
  await handle.write(byte, 0, 1, at);
  await handle.close();
}

describe('integrity', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  it('finds a flipped bit in file data, names the affected file, and restores everything else', async () => {
    const source = join(dir, 'praxis');
    await generateTree(source, { seed: 'flip', documents: 30, bigRandomBytes: 1 << 20, databasePages: 64 });
    const repo = await newTestRepository(join(dir, 'repo1'));
    const first = await backup(repo, { paths: [source], workers: 2 });
    const second = await backup(repo, { paths: [source], workers: 2 });
    const victim = join(source, 'docs', 'befunde', 'dokument-4.xml');
    await flipBitOf(repo, victim, 'content');

    // The structure is intact: only reading the data finds the damage.
    assert.equal((await check(repo)).status, 'ok');
    const checked = await check(repo, { readData: true, workers: 2 });
    assert.equal(checked.status, 'problems');
    assert.equal(checked.stats.damagedBlobs, 1);
    assert.deepEqual(
      checked.affected.map((a) => [a.snapshot, a.path]).sort(),
      [
        [first.snapshotId, victim],
        [second.snapshotId, victim],
      ].sort(),
    );

    const target = join(dir, 'out1');
    const result = await restore(repo, await resolveSnapshot(repo, 'latest'), { target, workers: 2 });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.errors.map((e) => e.path),
      [victim],
    );
    const expected = await describeTree(source);
    const relative = victim.slice(source.length + 1);
    expected.delete(relative);
    assert.deepEqual(sameTree(await describeTree(join(target, source)), expected), []);
    assert.deepEqual(
      (await readdir(join(target, source, 'docs', 'befunde'))).filter((n) => n.includes('tresor-restore')),
      [],
      'no temp file left behind',
    );
  });

  it('tells the progress display how many packs and bytes check --read-data reads, and reads them all', async () => {
    const source = join(dir, 'counted');
    await generateTree(source, {
      seed: 'counted',
      documents: 20,
      bigRandomBytes: 1 << 20,
      databasePages: 32,
    });
    const repo = await newTestRepository(join(dir, 'repo-counted'));
    await backup(repo, { paths: [source], workers: 2 });
    const packs = await repo.listPacks();
    const progress = newProgress();
    assert.equal((await check(repo, { readData: true, workers: 2, progress })).status, 'ok');
    const bytes = [...packs.values()].reduce((sum, size) => sum + size, 0);
    assert.deepEqual(
      [progress.filesTotal, progress.filesDone, progress.bytesTotal, progress.bytesDone],
      [packs.size, packs.size, bytes, bytes],
    );
  });

  it('finds a flipped bit in a directory listing and restores the rest of the tree', async () => {
    const source = join(dir, 'tree');
    await generateTree(source, { seed: 'tree', documents: 12, bigRandomBytes: 0, databasePages: 8 });
    const repo = await newTestRepository(join(dir, 'repo2'));
    await backup(repo, { paths: [source], workers: 2 });
    const damagedDir = join(source, 'docs', 'briefe');
    await flipBitOf(repo, damagedDir, 'listing');

    const checked = await check(repo);
    assert.equal(checked.status, 'problems');
    assert.deepEqual(
      checked.affected.map((a) => a.path),
      [damagedDir],
    );
    const target = join(dir, 'out2');
    const result = await restore(repo, await resolveSnapshot(repo, 'latest'), { target });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.errors.map((e) => e.path),
      [damagedDir],
    );
    const restored = await describeTree(join(target, source));
    assert.ok(restored.has('db/patients.fdb'));
    assert.ok(restored.has('docs/befunde/dokument-1.xml'));
  });

  it('reports a damaged index or snapshot file', async () => {
    const source = join(dir, 'small');
    await generateTree(source, { seed: 'small', documents: 3, bigRandomBytes: 0, databasePages: 0 });
    const root = join(dir, 'repo3');
    const repo = await newTestRepository(root);
    await backup(repo, { paths: [source] });
    for (const kind of ['index', 'snapshot'] as const) {
      const [id] = await repo.listFiles(kind);
      const path = layout.file(root, kind, id!);
      const bytes = await readFile(path);
      bytes[40]! ^= 1;
      await writeFile(path, bytes);
    }
    const checked = await check(repo);
    assert.equal(checked.status, 'problems');
    assert.ok(checked.errors.some((e) => e.startsWith('index file')));
    assert.ok(checked.errors.some((e) => e.startsWith('snapshot file')));
  });
});
