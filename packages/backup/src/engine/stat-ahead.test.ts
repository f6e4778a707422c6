import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { entryStat } from './entry-stat.js';
import { StatAhead } from './stat-ahead.js';

describe('StatAhead', () => {
  const root = mkdtempSync(join(tmpdir(), 'tresor-stat-ahead-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  // root: b/ (x, y), a/ (c/ (z), link), skip/ (w), file
  mkdirSync(join(root, 'a', 'c'), { recursive: true });
  mkdirSync(join(root, 'b'));
  mkdirSync(join(root, 'skip'));
  writeFileSync(join(root, 'b', 'y'), 'yy');
  writeFileSync(join(root, 'b', 'x'), 'x');
  writeFileSync(join(root, 'a', 'c', 'z'), 'zzz');
  symlinkSync('c/z', join(root, 'a', 'link'));
  writeFileSync(join(root, 'skip', 'w'), 'w');
  writeFileSync(join(root, 'file'), 'f');
  const walkOrder = [root, join(root, 'a'), join(root, 'a', 'c'), join(root, 'b')];

  it('lists every directory depth-first, names sorted, each entry with its lstat', async () => {
    const ahead = StatAhead.start([root], [join(root, 'skip')]);
    try {
      for (const dir of walkOrder) {
        const listing = await ahead.take(dir);
        assert.ok(listing, dir);
        assert.equal(listing.dir, dir);
        assert.deepEqual(listing.names, [...listing.names].sort());
        listing.names.forEach((name, i) => {
          assert.deepEqual(listing.stats[i], entryStat(lstatSync(join(dir, name), { bigint: true })), name);
        });
      }
      assert.deepEqual(await ahead.take(join(root, 'b')), undefined, 'each listing is taken once');
    } finally {
      await ahead.close();
    }
  });

  it('has nothing for skipped directories, files, or paths it never saw', async () => {
    const ahead = StatAhead.start([root, join(root, 'file')], [join(root, 'skip')]);
    try {
      assert.equal((await ahead.take(root))?.names.length, 4);
      assert.equal(await ahead.take(join(root, 'skip')), undefined);
      assert.equal(await ahead.take(join(root, 'file')), undefined);
      assert.equal(await ahead.take('/nowhere'), undefined);
    } finally {
      await ahead.close();
    }
  });

  it('drops the listings of directories the walk passed by (left out by an exclude pattern)', async () => {
    const ahead = StatAhead.start([root]);
    try {
      assert.ok(await ahead.take(root));
      // a/ and a/c/ are left out: the next directory the walk lists is b/.
      assert.deepEqual((await ahead.take(join(root, 'b')))?.names, ['x', 'y']);
      assert.ok(await ahead.take(join(root, 'skip')));
    } finally {
      await ahead.close();
    }
  });

  it('keeps to its limit without losing or reordering listings, and stops while it waits', async () => {
    const wide = join(root, 'wide');
    const dirs = Array.from({ length: 30 }, (_, i) => join(wide, `d${String(i).padStart(2, '0')}`));
    for (const dir of dirs) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'f'), dir);
    }
    try {
      const ahead = StatAhead.start([wide], [], 4);
      try {
        assert.equal((await ahead.take(wide))?.names.length, 30);
        for (const dir of dirs) assert.deepEqual((await ahead.take(dir))?.names, ['f'], dir);
      } finally {
        await ahead.close();
      }
      const waiting = StatAhead.start([wide], [], 4);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await waiting.close(); // the worker is blocked on its limit: close must not hang
      await waiting.close();
    } finally {
      rmSync(wide, { recursive: true, force: true });
    }
  });
});
