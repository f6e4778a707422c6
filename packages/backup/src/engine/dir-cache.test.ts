import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmod,
  copyFile,
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { BlobType } from '../format.js';
import { decodeIndex } from '../repository/index-format.js';
import { loadIndex, writeIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { resolveSnapshot } from '../repository/snapshot-store.js';
import {
  describeTree,
  generateTree,
  newTestRepository,
  removeDir,
  sameTree,
  seededText,
  tempDir,
} from '../testing/fixtures.js';
import { type BackupResult, backup } from './backup.js';
import {
  type CachedDir,
  type DirCacheScope,
  decodeDirCache,
  encodeDirCache,
  usableDirs,
} from './dir-cache.js';
import { loadDirCache, saveDirCache } from './dir-cache-store.js';
import { PackReader } from './pack-reader.js';
import { restore } from './restore.js';
import { TreeLoader } from './tree-loader.js';

const WORKERS = 2;
const ID = 'a'.repeat(64) as BlobId;
const SUB = 'b'.repeat(64) as BlobId;

describe('directory cache file', () => {
  const scope: DirCacheScope = { host: 'praxis-pc', sources: ['/srv/praxis'], excludes: '' };
  const dir: CachedDir = {
    digest: 'd1',
    tree: ID,
    files: 3,
    bytes: 1200,
    symlinks: 1,
    subdirs: [['x', SUB]],
  };
  const contents = { indexFiles: ['i1', 'i2'], dirs: new Map([['/srv/praxis', dir]]) };

  it('decodes what it encodes, for the same scope only', () => {
    const bytes = encodeDirCache(scope, contents);
    assert.deepEqual(decodeDirCache(scope, bytes), contents);
    assert.equal(decodeDirCache({ ...scope, host: 'other' }, bytes), undefined);
    assert.equal(decodeDirCache({ ...scope, excludes: '["*.tmp"]' }, bytes), undefined);
    assert.equal(decodeDirCache({ ...scope, sources: ['/srv'] }, bytes), undefined);
  });

  it('ignores malformed contents', () => {
    assert.equal(decodeDirCache(scope, Buffer.from('not json')), undefined);
    const bad = JSON.parse(Buffer.from(encodeDirCache(scope, contents)).toString()) as { dirs: unknown[][] };
    bad.dirs[0]![2] = 'not a blob id';
    assert.equal(decodeDirCache(scope, Buffer.from(JSON.stringify(bad))), undefined);
  });

  it('is usable only while every index file it names can be read', () => {
    assert.equal(usableDirs(contents, new Set(['i1', 'i2', 'i3'])).size, 1);
    assert.equal(usableDirs(contents, new Set(['i1', 'i3'])).size, 0);
    assert.equal(usableDirs(undefined, new Set(['i1'])).size, 0);
  });
});

describe('backups with the directory cache', () => {
  let dir: string;
  let source: string;
  let repo: Repository;
  before(async () => {
    dir = await tempDir();
    source = join(dir, 'praxis');
    await generateTree(source, { seed: 'dir-cache', documents: 30, bigRandomBytes: 0, databasePages: 64 });
    repo = await newTestRepository(join(dir, 'repo'));
  });
  after(async () => {
    await removeDir(dir);
  });

  /**
   * The tree of the source directory in a snapshot (the directories above it record their own
   * mtimes, and the temporary directory's changes all the time).
   */
  async function sourceTree(result: BackupResult): Promise<BlobId> {
    const { index } = await loadIndex(repo);
    const reader = new PackReader(repo);
    try {
      const trees = new TreeLoader(repo, index, reader);
      let tree = result.snapshot.tree;
      for (const part of source.split(sep).filter((p) => p.length > 0)) {
        const node = (await trees.load(tree)).nodes.find((n) => n.name === part);
        assert.ok(node?.type === 'dir', part);
        tree = node.subtree;
      }
      return tree;
    } finally {
      await reader.close();
    }
  }

  /** Backs up with the cache, then reads everything again (`force`): the trees must be equal. */
  async function backupMatchingForced(): Promise<number> {
    const cached = await backup(repo, { paths: [source], workers: WORKERS });
    const forced = await backup(repo, { paths: [source], workers: WORKERS, force: true });
    assert.equal(forced.dirsReused, 0, 'a forced backup looks at every file');
    assert.equal(await sourceTree(cached), await sourceTree(forced), 'the cache changed what was stored');
    const { summary } = cached.snapshot;
    for (const key of ['files', 'dirs', 'symlinks', 'bytes'] as const) {
      assert.equal(summary[key], forced.snapshot.summary[key], key);
    }
    return cached.dirsReused;
  }

  it('reuses every unchanged directory and stores the same trees as a full read', async () => {
    await backup(repo, { paths: [source], workers: WORKERS });
    const second = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(second.dirsReused, second.snapshot.summary.dirs);
    assert.equal(second.snapshot.summary.filesUnchanged, second.snapshot.summary.files);
    assert.equal(await backupMatchingForced(), second.snapshot.summary.dirs);
  });

  it('sees changes deep below unchanged directories, and in them', async () => {
    // Content and mtime of a file two levels down: its directory's listing changes, not its parents'.
    await writeFile(join(source, 'docs', 'briefe', '2026', 'dokument-0.xml'), seededText('changed', 3000));
    assert.ok((await backupMatchingForced()) > 0, 'the directories beside the change are reused');

    await writeFile(join(source, 'docs', 'befunde', 'neu.xml'), seededText('new', 2000));
    await chmod(join(source, 'docs', 'briefe'), 0o700);
    await rename(join(source, 'empty-dir'), join(source, 'renamed-dir'));
    await rm(join(source, 'link-to-db'));
    await mkdir(join(source, 'docs', 'briefe', '2026', 'q4'));
    await writeFile(join(source, 'docs', 'briefe', '2026', 'q4', 'a.txt'), 'a');
    // Same size and mtime as before, but ctime moves: still seen.
    const same = join(source, 'docs', 'dokument-2.xml');
    await writeFile(same, seededText('same size', 1000));
    await utimes(same, new Date('2025-06-01T10:00:00Z'), new Date('2025-06-01T10:00:00Z'));
    await backupMatchingForced();

    const target = join(dir, 'restored');
    await restore(repo, await resolveSnapshot(repo, 'latest'), { target });
    assert.deepEqual(sameTree(await describeTree(join(target, source)), await describeTree(source)), []);
    await rm(target, { recursive: true });
  });

  it('is not used once index files were replaced (as by prune), and is rebuilt', async () => {
    const ids = await repo.listFiles('index');
    const records = [];
    for (const id of ids) records.push(...decodeIndex(await repo.readFile('index', id)));
    await writeIndex(repo, records);
    for (const id of ids) await unlink(layout.file(repo.root, 'index', id));
    const first = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(first.dirsReused, 0);
    const second = await backup(repo, { paths: [source], workers: WORKERS });
    assert.equal(second.dirsReused, second.snapshot.summary.dirs);
    assert.equal(await sourceTree(second), await sourceTree(first));
  });

  it('keeps reporting what a directory had to warn about', async () => {
    execFileSync('mkfifo', [join(source, 'docs', 'pipe')]);
    const first = await backup(repo, { paths: [source], workers: WORKERS });
    const second = await backup(repo, { paths: [source], workers: WORKERS });
    for (const result of [first, second]) {
      assert.ok(
        result.snapshot.warnings.some((w) => w.path.endsWith('pipe')),
        'the special file is reported every time',
      );
    }
    assert.ok(second.dirsReused > 0 && second.dirsReused < second.snapshot.summary.dirs);
    await unlink(join(source, 'docs', 'pipe'));
  });

  it('reads a directory again when its cached tree is unreadable', async () => {
    await backup(repo, { paths: [source], workers: WORKERS });
    const scope: DirCacheScope = { host: hostname(), sources: [source], excludes: '' };
    const contents = await loadDirCache(repo, scope);
    assert.ok(contents);
    // Point the cached listing of docs/ at a data blob, then change something below it, so that
    // the backup has to load that "tree".
    const records = [];
    for (const id of await repo.listFiles('index'))
      records.push(...decodeIndex(await repo.readFile('index', id)));
    const data = records.flatMap((record) => record.entries).find((entry) => entry.type === BlobType.data);
    assert.ok(data);
    const docs = join(source, 'docs');
    const dirs = new Map(contents.dirs);
    dirs.set(docs, { ...dirs.get(docs)!, tree: data.id });
    await saveDirCache(repo, scope, dirs, []);
    await writeFile(join(docs, 'befunde', 'dokument-1.xml'), seededText('again', 4000));

    const result = await backup(repo, { paths: [source], workers: WORKERS });
    assert.ok(
      result.snapshot.warnings.some(
        (w) => w.path === docs && w.message.includes('cached listing is unreadable'),
      ),
    );
    const forced = await backup(repo, { paths: [source], workers: WORKERS, force: true });
    assert.equal(await sourceTree(result), await sourceTree(forced));
    assert.equal(result.snapshot.summary.files, forced.snapshot.summary.files);
    assert.equal(result.snapshot.summary.bytes, forced.snapshot.summary.bytes);
  });

  it('is a sealed file in the repository, one per host and set of sources', async () => {
    await backup(repo, { paths: [source], workers: WORKERS, hostname: 'other-host' });
    const files = await readdir(layout.cacheDir(repo.root));
    assert.equal(files.length, 2);
    assert.ok(files.every((name) => /^dirs-[0-9a-f]{32}$/.test(name)));
  });

  it('ignores a torn, foreign or misplaced cache file, backs up as without it and writes a new one', async () => {
    await rm(layout.cacheDir(repo.root), { recursive: true });
    await backup(repo, { paths: [source], workers: WORKERS });
    const [own] = await readdir(layout.cacheDir(repo.root));
    const path = join(layout.cacheDir(repo.root), own!);
    await backup(repo, { paths: [source], workers: WORKERS, hostname: 'other-host' });
    const [other] = (await readdir(layout.cacheDir(repo.root))).filter((name) => name !== own);
    const sealed = await readFile(path);
    const damages: [string, () => Promise<void>][] = [
      ['torn', () => writeFile(path, sealed.subarray(0, sealed.length >> 1))],
      ['empty', () => writeFile(path, '')],
      [
        'a bit flipped',
        () =>
          writeFile(
            path,
            sealed.map((byte, i) => (i === 40 ? byte ^ 1 : byte)),
          ),
      ],
      ['of another host', () => copyFile(join(layout.cacheDir(repo.root), other!), path)],
      ['a directory', () => rm(path).then(() => mkdir(path))],
    ];
    for (const [what, damage] of damages) {
      await damage();
      const result = await backup(repo, { paths: [source], workers: WORKERS });
      assert.equal(result.status, 'complete', what);
      assert.equal(result.dirsReused, 0, what);
      const forced = await backup(repo, { paths: [source], workers: WORKERS, force: true });
      assert.equal(await sourceTree(result), await sourceTree(forced), what);
      if (what === 'a directory') {
        // Not written over a directory (silently: only a speed-up); written once it is gone.
        await rm(path, { recursive: true });
        await backup(repo, { paths: [source], workers: WORKERS });
      }
      const next = await backup(repo, { paths: [source], workers: WORKERS });
      assert.equal(next.dirsReused, next.snapshot.summary.dirs, `${what}: rebuilt`);
    }
  });
});
