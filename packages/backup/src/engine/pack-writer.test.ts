import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { computeBlobId } from '../crypto/blob-id.js';
import { BlobType, Codec } from '../format.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { type PendingBlob, PackWriter } from './pack-writer.js';

function blob(repo: Repository, seed: string, length: number): PendingBlob {
  const sealed = seededBytes(seed, length);
  return {
    type: BlobType.data,
    id: computeBlobId(repo.keys.id, sealed),
    codec: Codec.none,
    sealed,
    rawLength: length,
  };
}

describe('PackWriter.abort', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-pack-writer-abort-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('drops the open pack, and later calls fail instead of starting a new one', async () => {
    const repo = await newTestRepository(join(dir, 'repo'));
    const writer = new PackWriter(repo, () => Promise.resolve());
    await writer.add([blob(repo, 'before', 4096)]);
    assert.equal((await readdir(layout.tmpDir(repo.root))).length, 1, 'the open pack');
    await writer.abort();
    assert.deepEqual(await readdir(layout.tmpDir(repo.root)), [], 'the open pack was removed');
    await assert.rejects(writer.add([blob(repo, 'after', 4096)]), /aborted/);
    await assert.rejects(writer.flush(), /aborted/);
    assert.deepEqual(await readdir(layout.tmpDir(repo.root)), [], 'no new pack was started');
  });
});

/**
 * A repository on a real, small file system (a 4 MiB tmpfs, mounted as root like the CLI's
 * disk-full test): a write that fails for lack of space, after which space comes back.
 */
describe('PackWriter after a failed write (4 MiB tmpfs)', () => {
  let dir: string;
  let disk: string;
  let mounted = false;
  before(async () => {
    dir = await tempDir('tresor-pack-writer-');
    disk = join(dir, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk]);
    mounted = true;
  });
  after(async () => {
    // Lazily: a failed assertion may leave the writer's temp file open.
    if (mounted) execFileSync('umount', ['-l', disk]);
    await removeDir(dir);
  });

  it('fails every later call, so a pack missing the failed bytes is never committed', async () => {
    const repo = await newTestRepository(join(disk, 'repo'));
    const { bavail, bsize } = await statfs(disk);
    const filler = join(disk, 'filler');
    await writeFile(filler, new Uint8Array(bavail * bsize - 512 * 1024));
    const reported: string[] = [];
    const writer = new PackWriter(repo, (pack) => {
      reported.push(pack.packId);
      return Promise.resolve();
    });

    // More than one write run: written at once, and only part of it fits.
    await assert.rejects(writer.add([blob(repo, 'too big', 1536 * 1024)]), { code: 'ENOSPC' });
    await rm(filler); // space is back: a later write would succeed now
    await assert.rejects(writer.add([blob(repo, 'small', 4096)]), { code: 'ENOSPC' });
    await assert.rejects(writer.flush(), { code: 'ENOSPC' });

    assert.deepEqual(reported, [], 'no pack was reported for indexing');
    assert.deepEqual(await readdir(layout.dataDir(repo.root)), [], 'no pack reached data/');
    await writer.abort();
    assert.deepEqual(await readdir(layout.tmpDir(repo.root)), [], 'the open pack was removed');
  });
});
