import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { writeFileAtomic } from './atomic-file.js';
import { layout } from './layout.js';

describe('writeFileAtomic', () => {
  let root: string;
  before(async () => {
    root = await tempDir('tresor-atomic-file-');
    await mkdir(layout.tmpDir(root));
  });
  after(async () => {
    await removeDir(root);
  });

  it('writes the file whole, making the directories it needs', async () => {
    const path = join(root, 'data', 'ab', 'abcdef');
    await writeFileAtomic(root, path, new TextEncoder().encode('pack'));
    assert.equal(await readFile(path, 'utf8'), 'pack');
    assert.deepEqual(await readdir(layout.tmpDir(root)), []);
  });

  it('leaves no temp file behind when the file cannot be put in place', async () => {
    await writeFile(join(root, 'blocker'), 'a file where a directory should be');
    await assert.rejects(
      writeFileAtomic(root, join(root, 'blocker', 'inner', 'name'), new Uint8Array(8)),
      (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOTDIR',
    );
    assert.deepEqual(await readdir(layout.tmpDir(root)), [], 'the temp file was removed');
  });
});
