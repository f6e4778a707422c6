import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadIndex } from '../repository/index-store.js';
import { encodePackTrailer } from '../repository/pack-format.js';
import { newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { backup } from './backup.js';
import { indexOrphanPacks } from './pack-header.js';

/**
 * Files in `data/` that no index names are read as packs left by a killed backup. Whatever is
 * there (junk, a crafted trailer, something huge, a directory) must not stop the backup nor be
 * read into memory whole.
 */
describe('packs that no index names', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  async function plant(root: string, bytes: Uint8Array): Promise<string> {
    const id = createHash('sha256').update(bytes).digest('hex');
    const path = join(root, 'data', id.slice(0, 2), id);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    return id;
  }

  it('are reported as unreadable when they are junk, crafted, huge or directories; the backup goes on', async () => {
    const source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'a.txt'), 'a');
    const repo = await newTestRepository(join(dir, 'repo'));
    await backup(repo, { paths: [source], workers: 1 });

    const junk = seededBytes('junk', 1000);
    const planted = [
      await plant(repo.root, junk),
      // A trailer that claims a header of the whole file, and one of 4 GiB.
      await plant(repo.root, Buffer.concat([junk, encodePackTrailer(1000)])),
      await plant(repo.root, Buffer.concat([junk, encodePackTrailer(0xffffffff)])),
    ];
    // Larger than a file readFile can read at once (2 GiB), sparse: no disk space used.
    const huge = 'ee'.repeat(32);
    await mkdir(join(repo.root, 'data', 'ee'), { recursive: true });
    const handle = await open(join(repo.root, 'data', 'ee', huge), 'w');
    await handle.truncate(2 ** 31 + 8);
    await handle.close();
    const directory = 'dd'.repeat(32);
    await mkdir(join(repo.root, 'data', 'dd', directory), { recursive: true });

    const { index } = await loadIndex(repo);
    const recovered = await indexOrphanPacks(repo, index);
    assert.equal(recovered.indexed, 0);
    assert.deepEqual([...recovered.unreadable].sort(), [...planted, huge, directory].sort());

    await rm(join(repo.root, 'data', 'ee', huge)); // hashed once is enough (~2 s)
    await writeFile(join(source, 'b.txt'), 'b');
    const result = await backup(repo, { paths: [source], workers: 1 });
    assert.equal(result.status, 'complete');
    assert.equal(result.recoveredPacks, 0);
    assert.equal((await readdir(join(repo.root, 'index'))).length, 2, 'no index names the planted files');
  });
});
