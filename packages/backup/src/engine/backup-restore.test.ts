import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFile,
  chmod,
  mkdir,
  open,
  readFile,
  readdir,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PAGE_PROFILE } from '../chunker/fastcdc.js';
import { resolveSnapshot } from '../repository/snapshot-store.js';
import {
  databaseLike,
  describeTree,
  directorySize,
  generateTree,
  newTestRepository,
  removeDir,
  sameTree,
  seededBytes,
  seededText,
  tempDir,
} from '../testing/fixtures.js';
import { backup } from './backup.js';
import { check } from './check.js';
import { restore } from './restore.js';

const WORKERS = 2;

/**
 * The most a backup stores after `pages` scattered 8 KiB pages of a page-structured file were
 * rewritten: each page changes at most the chunk it lies in and the next (where a cut moves), of
 * at most PAGE_PROFILE.maxSize each, plus the directory listings. Chunk boundaries come from the
 * repository's random key, so the actual amount differs from run to run (250–670 KB measured for
 * 3 pages); 3 × 2 × 256 KiB = 1.5 MiB is still far below a whole 8 MiB file.
 */
function changedChunksBound(pages: number): number {
  return pages * 2 * PAGE_PROFILE.maxSize + 16_384;
}

describe('backup and restore', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  it('restores every snapshot byte-identical with modes, mtimes and symlinks, after changes in between', async () => {
    const source = join(dir, 'praxis');
    await generateTree(source, { seed: 'cycle', documents: 40, bigRandomBytes: 3 << 20, databasePages: 256 });
    const repo = await newTestRepository(join(dir, 'repo1'));
    const first = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(first.status, 'complete');
    assert.equal(first.snapshot.summary.filesNew, first.snapshot.summary.files);
    const state1 = await describeTree(source);

    // Change: content, delete, add, mode, symlink target, database pages in place, mtime only.
    await writeFile(join(source, 'docs', 'dokument-2.xml'), seededText('changed', 5000));
    await rm(join(source, 'docs', 'befunde', 'dokument-1.xml'));
    await writeFile(join(source, 'docs', 'neu.xml'), seededText('new', 7000));
    await chmod(join(source, 'run.sh'), 0o700);
    await rm(join(source, 'link-to-db'));
    await symlink('docs/neu.xml', join(source, 'link-to-db'));
    const db = await open(join(source, 'db', 'patients.fdb'), 'r+');
    await db.write(seededBytes('page', 8192), 0, 8192, 17 * 8192);
    await db.close();
    await utimes(
      join(source, 'empty.txt'),
      new Date('2025-01-01T08:00:00Z'),
      new Date('2025-01-01T08:00:00Z'),
    );

    const second = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(second.snapshot.parent, first.snapshotId);
    const s = second.snapshot.summary;
    assert.equal(s.filesNew, 1, JSON.stringify(s));
    assert.equal(s.filesChanged, 4, 'dokument-2, patients.fdb, run.sh (ctime), empty.txt (mtime)');
    assert.equal(s.filesUnchanged, s.files - 5);
    // One rewritten 8 KiB page of a page-structured file costs one small chunk, not the file.
    assert.ok(s.dataAdded < 400_000, `added ${s.dataAdded} bytes`);
    const state2 = await describeTree(source);

    const out1 = join(dir, 'restore1');
    const restored1 = await restore(repo, await resolveSnapshot(repo, first.snapshotId), {
      target: out1,
      workers: WORKERS,
    });
    assert.equal(restored1.status, 'complete');
    assert.deepEqual(sameTree(await describeTree(join(out1, source)), state1), []);

    const out2 = join(dir, 'restore2');
    const restored2 = await restore(repo, await resolveSnapshot(repo, 'latest'), {
      target: out2,
      workers: WORKERS,
    });
    assert.equal(restored2.status, 'complete');
    assert.deepEqual(sameTree(await describeTree(join(out2, source)), state2), []);

    const out3 = join(dir, 'restore3');
    await restore(repo, await resolveSnapshot(repo, 'latest'), {
      target: out3,
      include: [join(source, 'docs', 'befunde')],
    });
    const befunde = join(source, 'docs', 'befunde');
    const restoredPaths = [...(await describeTree(out3)).keys()].map((path) => `/${path}`);
    assert.deepEqual(
      restoredPaths.filter((path) => !path.startsWith(`${befunde}/`) && !befunde.startsWith(path)),
      [],
    );
    assert.ok(restoredPaths.includes(join(befunde, 'dokument-4.xml')));

    assert.equal((await check(repo, { readData: true, workers: WORKERS })).status, 'ok');
  });

  it('follows entries whose type changed since the previous snapshot (its listings are read ahead)', async () => {
    const source = join(dir, 'types');
    for (const name of ['was-dir', 'was-dir-now-link', 'stays']) {
      await mkdir(join(source, name, 'inner'), { recursive: true });
      await writeFile(join(source, name, 'inner', 'befund.txt'), `Befund in ${name}`);
    }
    await writeFile(join(source, 'was-file'), 'a file first');
    const repo = await newTestRepository(join(dir, 'repo-types'));
    await backup(repo, { paths: [source], workers: WORKERS });

    await rm(join(source, 'was-dir'), { recursive: true });
    await writeFile(join(source, 'was-dir'), 'a file now');
    await rm(join(source, 'was-dir-now-link'), { recursive: true });
    await symlink('stays', join(source, 'was-dir-now-link'));
    await rm(join(source, 'was-file'));
    await mkdir(join(source, 'was-file', 'neu'), { recursive: true });
    await writeFile(join(source, 'was-file', 'neu', 'brief.txt'), 'a directory now');
    await writeFile(join(source, 'stays', 'inner', 'zweiter.txt'), 'added');
    const state = await describeTree(source);
    const second = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(second.status, 'complete');

    const out = join(dir, 'restore-types');
    const restored = await restore(repo, await resolveSnapshot(repo, 'latest'), {
      target: out,
      workers: WORKERS,
    });
    assert.equal(restored.status, 'complete');
    assert.deepEqual(sameTree(await describeTree(join(out, source)), state), []);
  });

  it('stores nothing new for unchanged data, and identical files once', async () => {
    const source = join(dir, 'dedup');
    await generateTree(source, { seed: 'dedup', documents: 30, bigRandomBytes: 2 << 20, databasePages: 64 });
    const copy = seededBytes('twins', 1 << 20);
    await writeFile(join(source, 'twin-a.bin'), copy);
    await writeFile(join(source, 'twin-b.bin'), copy);
    const root = join(dir, 'repo2');
    const repo = await newTestRepository(root);
    const first = await backup(repo, { paths: [source], workers: WORKERS });
    const total = first.snapshot.summary.bytes;
    assert.ok(first.snapshot.summary.dataAdded < total - (1 << 20) + 100_000, 'the twin is stored once');
    const size1 = await directorySize(root);

    const second = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(second.snapshot.summary.filesUnchanged, second.snapshot.summary.files);
    assert.ok(second.snapshot.summary.dataAdded < 2048, 'at most the trees above the source (their mtimes)');
    const size2 = await directorySize(root);
    assert.ok(size2 - size1 < 4096, `an unchanged backup added ${size2 - size1} bytes`);

    const forced = await backup(repo, { paths: [source], force: true, workers: WORKERS });
    assert.equal(forced.snapshot.summary.filesUnchanged, 0);
    assert.ok(forced.snapshot.summary.dataAdded < 2048, 'everything read again, nothing new stored');
  });

  it('stores a page-structured file change as small chunks (64 KiB profile)', async () => {
    const source = join(dir, 'db-only');
    const file = join(source, 'praxis.db');
    await generateTree(source, { seed: 'db', documents: 0, bigRandomBytes: 0, databasePages: 1024 });
    await writeFile(file, databaseLike('db', 1024));
    const repo = await newTestRepository(join(dir, 'repo3'));
    await backup(repo, { paths: [source], workers: WORKERS });
    const handle = await open(file, 'r+');
    for (const page of [10, 400, 900])
      await handle.write(seededBytes(`p${page}`, 8192), 0, 8192, page * 8192);
    await handle.close();
    await appendFile(file, databaseLike('appended', 8));
    const next = await backup(repo, { paths: [source], workers: WORKERS });
    // 3 rewritten pages + 64 KiB appended: typically ~4 chunks of ~80 KiB, against 8 MiB for the
    // whole file. The bound is for the worst chunk boundaries (see changedChunksBound).
    const bound = changedChunksBound(3) + PAGE_PROFILE.maxSize;
    assert.ok(next.snapshot.summary.dataAdded < bound, `added ${next.snapshot.summary.dataAdded}`);
  });

  it('reads a large file in segments in parallel: restored identical, a small change stays small', async () => {
    const source = join(dir, 'segments');
    const file = join(source, 'gross.fdb');
    await mkdir(source, { recursive: true });
    await writeFile(file, databaseLike('segments', 1024)); // 8 MiB
    const options = { paths: [source], workers: WORKERS, segmentBytes: 1 << 20 };
    const repo = await newTestRepository(join(dir, 'repo-segments'));
    const first = await backup(repo, options);
    assert.equal(first.snapshot.summary.filesNew, 1);
    const state1 = await describeTree(source);
    const unchanged = await backup(repo, { ...options, force: true });
    // Every segment gives the same chunks again; at most the listings above the source are new
    // (/tmp's mtime moves whenever a test running alongside creates a directory there).
    assert.ok(unchanged.snapshot.summary.dataAdded < 2048, `added ${unchanged.snapshot.summary.dataAdded}`);
    const handle = await open(file, 'r+');
    for (const page of [10, 300, 1000])
      await handle.write(seededBytes(`s${page}`, 8192), 0, 8192, page * 8192);
    await handle.close();
    const changed = await backup(repo, options);
    assert.ok(
      changed.snapshot.summary.dataAdded < changedChunksBound(3),
      `added ${changed.snapshot.summary.dataAdded}`,
    );
    const state2 = await describeTree(source);

    for (const [id, state] of [
      [first.snapshotId, state1],
      [changed.snapshotId, state2],
    ] as const) {
      const out = join(dir, `restore-segments-${id}`);
      const restored = await restore(repo, await resolveSnapshot(repo, id), {
        target: out,
        workers: WORKERS,
      });
      assert.equal(restored.status, 'complete');
      assert.deepEqual(sameTree(await describeTree(join(out, source)), state), []);
    }
    assert.equal((await check(repo, { readData: true, workers: WORKERS })).status, 'ok');
  });

  it('does not follow a symbolic link planted in the restore target', async () => {
    const source = join(dir, 'planted');
    await generateTree(source, { seed: 'planted', documents: 3, bigRandomBytes: 0, databasePages: 0 });
    const repo = await newTestRepository(join(dir, 'repo6'));
    await backup(repo, { paths: [source], workers: WORKERS });
    const target = join(dir, 'planted-target');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    const firstComponent = source.split('/')[1]!;
    await mkdir(target);
    await symlink(elsewhere, join(target, firstComponent));
    const result = await restore(repo, await resolveSnapshot(repo, 'latest'), { target, workers: WORKERS });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.errors.map((e) => e.path),
      [`/${firstComponent}`],
    );
    assert.deepEqual(await readdir(elsewhere), []);
  });

  it(
    'lists unreadable files, marks the snapshot partial and keeps the rest',
    { skip: process.platform !== 'linux' },
    async () => {
      const source = join(dir, 'readable');
      await generateTree(source, { seed: 'r', documents: 5, bigRandomBytes: 0, databasePages: 0 });
      const repo = await newTestRepository(join(dir, 'repo4'));
      // /proc/self/mem is a regular file whose first read fails (EIO), as root too.
      const result = await backup(repo, { paths: [source, '/proc/self/mem'], workers: WORKERS });
      assert.equal(result.status, 'partial');
      assert.deepEqual(
        result.snapshot.errors.map((e) => e.path),
        ['/proc/self/mem'],
      );
      assert.equal(result.snapshot.summary.files, 9);
      if (process.getuid?.() !== 0) {
        await chmod(join(source, 'empty.txt'), 0o000);
        const denied = await backup(repo, { paths: [source], workers: WORKERS });
        assert.equal(denied.status, 'partial');
        assert.deepEqual(denied.snapshot.errors, [
          { path: join(source, 'empty.txt'), message: 'permission denied' },
        ]);
      }
      assert.equal((await check(repo)).status, 'ok');
    },
  );

  it('stores identical small files once, though each is sealed without asking (one message per file)', async () => {
    const source = join(dir, 'small-twins');
    await mkdir(source, { recursive: true });
    const twin = seededBytes('small twin', 40_000);
    for (const name of ['a.bin', 'b.bin', 'c.bin']) await writeFile(join(source, name), twin);
    const repo = await newTestRepository(join(dir, 'repo-small-twins'));
    const result = await backup(repo, { paths: [source], workers: WORKERS });
    const { summary } = result.snapshot;
    assert.equal(summary.bytes, 3 * 40_000);
    assert.ok(
      summary.dataAdded >= 40_000 && summary.dataAdded < 40_000 + 4096,
      `stored ${summary.dataAdded}`,
    );
    const checked = await check(repo, { readData: true });
    assert.equal(checked.status, 'ok', JSON.stringify(checked));
    const out = join(dir, 'small-twins-restored');
    await restore(repo, await resolveSnapshot(repo, 'latest'), { target: out, workers: WORKERS });
    for (const name of ['a.bin', 'b.bin', 'c.bin'])
      assert.deepEqual(await readFile(join(out, source, name)), Buffer.from(twin));
  });

  it('backs up and restores a file whose bytes equal a directory listing, stored before or after it', async () => {
    // An empty directory's listing is exactly these bytes, so the file and the listing share one
    // blob id (ids are keyed hashes of the plaintext): whichever was stored first serves both.
    const listing = '{"v":1,"nodes":[]}';
    for (const order of ['same run', 'file first'] as const) {
      const source = join(dir, `collide-${order.replace(' ', '-')}`);
      await mkdir(source);
      await writeFile(join(source, 'state.json'), listing);
      if (order === 'same run') await mkdir(join(source, 'empty'));
      const repo = await newTestRepository(join(dir, `repo-collide-${order.replace(' ', '-')}`));
      await backup(repo, { paths: [source], workers: WORKERS, scan: false });
      if (order === 'file first') {
        await mkdir(join(source, 'empty'));
        await backup(repo, { paths: [source], workers: WORKERS, scan: false });
      }
      const checked = await check(repo, { readData: true, workers: WORKERS });
      assert.equal(checked.status, 'ok', `${order}: ${JSON.stringify(checked.errors)}`);
      const out = join(dir, `out-collide-${order.replace(' ', '-')}`);
      const restored = await restore(repo, await resolveSnapshot(repo, 'latest'), {
        target: out,
        workers: WORKERS,
      });
      assert.equal(restored.status, 'complete', `${order}: ${JSON.stringify(restored.errors)}`);
      assert.deepEqual(
        sameTree(await describeTree(join(out, source)), await describeTree(source)),
        [],
        order,
      );
    }
  });

  it('warns about a file that changes while it is read; the snapshot stays consistent', async () => {
    const source = join(dir, 'growing');
    const file = join(source, 'log.txt');
    await generateTree(source, { seed: 'g', documents: 2, bigRandomBytes: 0, databasePages: 0 });
    await writeFile(file, seededText('log', 24 << 20));
    const appender = spawn('sh', ['-c', `while :; do echo Eintrag >> '${file}'; done`], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const repo = await newTestRepository(join(dir, 'repo5'));
      const result = await backup(repo, { paths: [source], workers: WORKERS });
      assert.equal(result.status, 'complete');
      assert.ok(
        result.snapshot.warnings.some((w) => w.path === file && w.message.includes('changed while')),
        JSON.stringify(result.snapshot.warnings),
      );
      const checked = await check(repo, { readData: true });
      assert.equal(checked.status, 'ok', JSON.stringify(checked));
    } finally {
      appender.kill('SIGKILL');
    }
  });
});
