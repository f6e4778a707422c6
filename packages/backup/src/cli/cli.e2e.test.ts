import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackReader } from '../engine/pack-reader.js';
import { TreeLoader } from '../engine/tree-loader.js';
import { walkTree } from '../engine/tree-walk.js';
import { loadIndex } from '../repository/index-store.js';
import { layout } from '../repository/layout.js';
import { Repository } from '../repository/repository.js';
import { resolveSnapshot } from '../repository/snapshot-store.js';
import { assertBuilt, jsonLines, runCli } from '../testing/cli-process.js';
import { describeTree, generateTree, removeDir, sameTree, seededText, tempDir } from '../testing/fixtures.js';

const PASSPHRASE = 'Sommer-Praxis-2026!';
const FAST_KDF = ['--kdf-memory', '8', '--kdf-iterations', '1'];

describe('tresor-backup CLI (built, run as a user would)', () => {
  let dir: string;
  let source: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-cli-');
    source = join(dir, 'praxis');
    await generateTree(source, { seed: 'cli', documents: 20, bigRandomBytes: 1 << 20, databasePages: 128 });
  });
  after(async () => {
    await removeDir(dir);
  });

  it('init → backup → change → backup → snapshots, ls, diff → restore byte-identical → check', async () => {
    const env = { TRESOR_BACKUP_REPO: join(dir, 'repo'), TRESOR_BACKUP_PASSPHRASE: PASSPHRASE };
    const init = await runCli(['init', ...FAST_KDF], env);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /cannot be recovered/);

    const first = await runCli(['backup', source], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /snapshot [0-9a-f]{8} saved/);
    const state1 = await describeTree(source);

    await writeFile(join(source, 'docs', 'dokument-2.xml'), seededText('cli-change', 3000));
    const second = await runCli(['backup', '--json', source], env);
    assert.equal(second.code, 0, second.stderr);
    const summary = jsonLines(second.stdout).find((line) => line.type === 'summary');
    assert.ok(summary);
    assert.equal(summary.status, 'complete');
    assert.equal(summary.filesChanged, 1);
    assert.equal(summary.filesUnchanged, (summary.files as number) - 1);

    const list = await runCli(['snapshots', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const snapshots = jsonLines(list.stdout)[0]?.snapshots as { id: string; files: number }[];
    assert.equal(snapshots.length, 2);
    const [older, newer] = snapshots;

    const ls = await runCli(['ls', 'latest', '-l'], env);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /-rwxr-x---.*\/run\.sh/);
    assert.match(ls.stdout, /link-to-db -> db\/patients\.fdb/);

    const diff = await runCli(['diff', older!.id.slice(0, 8), newer!.id], env);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^M {2}.*\/docs\/dokument-2\.xml$/m);

    const out = join(dir, 'restored');
    const restored = await runCli(['restore', 'latest', '--target', out], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(sameTree(await describeTree(join(out, source)), await describeTree(source)), []);

    const outOld = join(dir, 'restored-old');
    const include = join(source, 'docs');
    const old = await runCli(
      ['restore', older!.id, '--target', outOld, '--include', include, '--verify'],
      env,
    );
    assert.equal(old.code, 0, old.stderr);
    const expectedDocs = new Map(
      [...state1].filter(([path]) => path.startsWith('docs/')).map(([p, e]) => [p.slice(5), e]),
    );
    assert.deepEqual(sameTree(await describeTree(join(outOld, include)), expectedDocs), []);

    const checked = await runCli(['check', '--read-data'], env);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /no problems found/);
  });

  it('takes the passphrase from a file, refuses a wrong one, and manages key slots', async () => {
    const repo = join(dir, 'keys-repo');
    const file = join(dir, 'passphrase.txt');
    await writeFile(file, `${PASSPHRASE}\n`);
    const base = { TRESOR_BACKUP_REPO: repo };
    assert.equal((await runCli(['init', ...FAST_KDF, '--passphrase-file', file], base)).code, 0);
    assert.equal((await runCli(['snapshots', '--passphrase-file', file], base)).code, 0);

    const wrong = await runCli(['snapshots'], { ...base, TRESOR_BACKUP_PASSPHRASE: 'nicht richtig' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong passphrase/);
    const missing = await runCli(['snapshots'], base);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no passphrase/);

    const env = { ...base, TRESOR_BACKUP_PASSPHRASE: PASSPHRASE };
    const added = await runCli(['key', 'add', ...FAST_KDF], {
      ...env,
      TRESOR_BACKUP_NEW_PASSPHRASE: 'zweiter Schlüssel 2026',
    });
    assert.equal(added.code, 0, added.stderr);
    const viaSecond = { ...base, TRESOR_BACKUP_PASSPHRASE: 'zweiter Schlüssel 2026' };
    const changed = await runCli(['key', 'passwd', ...FAST_KDF], {
      ...viaSecond,
      TRESOR_BACKUP_NEW_PASSPHRASE: 'dritter Schlüssel 2026',
    });
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal((await runCli(['snapshots'], viaSecond)).code, 1, 'the changed passphrase no longer opens');
    assert.equal(
      (await runCli(['snapshots'], { ...base, TRESOR_BACKUP_PASSPHRASE: 'dritter Schlüssel 2026' })).code,
      0,
    );
    const keys = await runCli(['key', 'list', '--json'], env);
    assert.equal(keys.code, 0, keys.stderr);
    assert.equal((jsonLines(keys.stdout)[0]?.keys as unknown[]).length, 2);
  });

  it('documents usage and exit codes: --help everywhere, 2 for usage, 1 for errors', async () => {
    for (const args of [
      ['--help'],
      ...['init', 'backup', 'snapshots', 'ls', 'diff', 'restore', 'check', 'key'].map((c) => [c, '--help']),
      ['key', 'passwd', '--help'],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Exit codes/, args.join(' '));
    }
    assert.equal((await runCli(['frobnicate'])).code, 2);
    // With --json, usage errors are the same `error` line as every other error, still exit code 2.
    for (const args of [
      ['frobnicate', '--json'],
      ['snapshots', '--json', '--bogus'],
    ]) {
      const usage = await runCli(args);
      assert.equal(usage.code, 2, args.join(' '));
      const [line, ...more] = jsonLines(usage.stdout);
      assert.deepEqual(more, [], usage.stdout);
      assert.equal(line?.type, 'error', usage.stdout);
      assert.equal(line.code, 'usage.invalid');
      assert.match(String(line.message), /^unknown (command 'frobnicate'|option '--bogus')/);
    }
    assert.equal(
      (await runCli(['restore', 'latest'], { TRESOR_BACKUP_REPO: dir })).code,
      2,
      'missing --target',
    );
    const noRepo = await runCli(['snapshots']);
    assert.equal(noRepo.code, 2);
    assert.match(noRepo.stderr, /--repo DIR or set TRESOR_BACKUP_REPO/);
    const notThere = await runCli(['snapshots', '--repo', join(dir, 'nowhere')], {
      TRESOR_BACKUP_PASSPHRASE: 'x',
    });
    assert.equal(notThere.code, 1);
    assert.match(notThere.stderr, /no repository at/);
  });

  it('refuses a repository of a newer format version without touching it', async () => {
    const repo = join(dir, 'newer');
    const env = { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: PASSPHRASE };
    assert.equal((await runCli(['init', ...FAST_KDF], env)).code, 0);
    const config = JSON.parse(await readFile(layout.config(repo), 'utf8')) as object;
    await writeFile(layout.config(repo), JSON.stringify({ ...config, version: 2 }));
    const result = await runCli(['backup', source], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /format version 2.*update tresor-backup/);
    assert.equal((await Repository.open(repo, PASSPHRASE).catch((e: unknown) => e)) instanceof Error, true);
  });

  it('exits 3 (partial) for unreadable files and for damaged data, restoring everything else', async () => {
    const repo = join(dir, 'partial');
    const env = { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: PASSPHRASE };
    assert.equal((await runCli(['init', ...FAST_KDF], env)).code, 0);
    if (process.platform === 'linux') {
      const partial = await runCli(['backup', source, '/proc/self/mem'], env);
      assert.equal(partial.code, 3, partial.stderr);
      assert.match(partial.stderr, /\/proc\/self\/mem: cannot be read \(EIO\)/);
      assert.match(partial.stdout, /PARTIAL/);
    }
    assert.equal((await runCli(['backup', source], env)).code, 0);

    // Flip one bit in the middle of the largest blob of the 1 MiB random file. (Of that file: the
    // chunker's key differs per repository, so a database chunk is sometimes the largest blob.)
    const opened = await Repository.open(repo, PASSPHRASE);
    const { index } = await loadIndex(opened);
    const reader = new PackReader(opened);
    let largest: { packId: string; offset: number; length: number } | undefined;
    try {
      const { snapshot } = await resolveSnapshot(opened, 'latest');
      const images = join(source, 'db', 'images.bin');
      for await (const { path, node } of walkTree(new TreeLoader(opened, index, reader), snapshot.tree)) {
        if (path !== images || node.type !== 'file') continue;
        for (const blob of node.content) {
          const entry = index.get(blob);
          if (entry && (!largest || entry.length > largest.length)) largest = entry;
        }
      }
    } finally {
      await reader.close();
    }
    assert.ok(largest, 'no blob of db/images.bin');
    const handle = await open(opened.packPath(largest.packId), 'r+');
    const byte = new Uint8Array(1);
    const at = largest.offset + (largest.length >> 1);
    await handle.read(byte, 0, 1, at);
    byte[0]! ^= 0x40;
    await handle.write(byte, 0, 1, at);
    await handle.close();

    const checked = await runCli(['check', '--read-data', '--json'], env);
    assert.equal(checked.code, 3, checked.stderr);
    const affected = jsonLines(checked.stdout).find((line) => line.type === 'summary')?.affected as {
      path: string;
    }[];
    assert.ok(
      affected.length > 0 && affected.every((a) => a.path.endsWith('/db/images.bin')),
      JSON.stringify(affected),
    );

    const out = join(dir, 'partial-restore');
    const restored = await runCli(['restore', 'latest', '--target', out], env);
    assert.equal(restored.code, 3);
    assert.match(restored.stderr, /images\.bin: not restored/);
    const expected = await describeTree(source);
    expected.delete('db/images.bin');
    assert.deepEqual(sameTree(await describeTree(join(out, source)), expected), []);
  });
});
