import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isBackupError } from '../errors.js';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { layout } from './layout.js';
import { lockExclusive, lockShared } from './lock.js';

describe('repository locks: lock files that are not locks', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  // JSON, but not a lock's content (a damaged disk, or planted): treated like a lock file that does
  // not parse (respected while fresh, stale after a minute), never a TypeError.
  for (const [name, content] of [
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"exclusive"'],
    ['an array', '[]'],
    ['fields of the wrong type', '{"pid":"1","hostname":7,"createdAt":null}'],
    // kill(0) and kill(-1) reach whole process groups: such a lock would look alive for ever.
    [
      'pid 0 of this host',
      JSON.stringify({ pid: 0, hostname: hostname(), createdAt: '2026-01-01T00:00:00Z' }),
    ],
    [
      'pid -1 of this host',
      JSON.stringify({ pid: -1, hostname: hostname(), createdAt: '2026-01-01T00:00:00Z' }),
    ],
  ] as const) {
    it(`a lock file holding ${name} is a lock while fresh and stale after a minute`, async () => {
      const root = join(dir, name.replaceAll(' ', '-'));
      await mkdir(layout.locksDir(root), { recursive: true });
      const path = join(layout.locksDir(root), 'exclusive');
      await writeFile(path, content);
      await assert.rejects(lockShared(root), (error: unknown) => isBackupError(error, 'repo.locked'));
      await assert.rejects(lockExclusive(root), (error: unknown) => isBackupError(error, 'repo.locked'));
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      await utimes(path, twoMinutesAgo, twoMinutesAgo);
      const lock = await lockShared(root);
      await lock.release();
      assert.deepEqual(await readdir(layout.locksDir(root)), [], 'the stale file was removed');
    });
  }
});
