import assert from 'node:assert/strict';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BlobId, computeBlobId } from '../crypto/blob-id.js';
import { loadIndex } from '../repository/index-store.js';
import type { Repository } from '../repository/repository.js';
import type { Snapshot } from '../repository/snapshot.js';
import { type SnapshotRecord, saveSnapshot } from '../repository/snapshot-store.js';
import { type TreeNode, encodeTree } from '../repository/tree.js';
import { newTestRepository, removeDir, tempDir } from '../testing/fixtures.js';
import { sealBlob } from './blob-codec.js';
import { BlobSaver } from './blob-saver.js';
import { restore } from './restore.js';

/**
 * Restores of snapshots that a holder of the key (or a bug) wrote with odd contents: the trees
 * are written here directly, as no backup of a real directory would write them.
 */

const META = { mode: 0o755, mtimeNs: '1763900000000000000', uid: 0, gid: 0 } as const;

/** Stores trees and file contents written by hand, and a snapshot of them. */
class Crafter {
  private constructor(
    readonly repo: Repository,
    private readonly saver: BlobSaver,
  ) {}

  static async open(repo: Repository): Promise<Crafter> {
    return new Crafter(repo, new BlobSaver(repo, (await loadIndex(repo)).index, 'none'));
  }

  /** A tree blob holding exactly `json` (not checked: it may be what no reader accepts). */
  rawTree(json: unknown): Promise<BlobId> {
    return this.saver.saveTree(Buffer.from(JSON.stringify(json)));
  }

  tree(nodes: readonly TreeNode[]): Promise<BlobId> {
    return this.saver.saveTree(encodeTree(nodes));
  }

  dir(name: string, subtree: BlobId): TreeNode {
    return { name, type: 'dir', ...META, subtree };
  }

  async file(name: string, text: string): Promise<TreeNode> {
    const data = Buffer.from(text);
    const id = computeBlobId(this.repo.keys.id, data);
    const { codec, sealed } = sealBlob(this.repo.keys.encryption, 0, id, data, 'none');
    await this.saver.handlers.storeUnasked([{ id, codec, sealed, rawLength: data.length }], data.length);
    return {
      name,
      type: 'file',
      ...META,
      mode: 0o644,
      size: data.length,
      inode: '1',
      ctimeNs: META.mtimeNs,
      content: [id],
    };
  }

  async snapshot(tree: BlobId): Promise<SnapshotRecord> {
    await this.saver.finish();
    const snapshot: Snapshot = {
      v: 1,
      time: new Date().toISOString(),
      hostname: 'praxis',
      username: 'praxis',
      paths: ['/praxis'],
      tree,
      summary: {
        files: 0,
        dirs: 0,
        symlinks: 0,
        bytes: 0,
        filesNew: 0,
        filesChanged: 0,
        filesUnchanged: 0,
        dataAdded: 0,
        packBytesAdded: 0,
        durationMs: 0,
      },
      warnings: [],
      errors: [],
    };
    return { id: await saveSnapshot(this.repo, snapshot), snapshot };
  }
}

describe('restore of odd or hostile trees', () => {
  let dir: string;
  let repo: Repository;
  before(async () => {
    dir = await tempDir();
    repo = await newTestRepository(join(dir, 'repo'));
  });
  after(async () => {
    await removeDir(dir);
  });

  it('lists a directory whose name the file system refuses and restores everything else', async () => {
    const crafter = await Crafter.open(repo);
    const empty = await crafter.tree([]);
    const long = 'd'.repeat(300); // a valid name in a tree, longer than NAME_MAX (255) here
    const praxis = await crafter.tree([crafter.dir(long, empty), await crafter.file('ok.txt', 'restored')]);
    const record = await crafter.snapshot(await crafter.tree([crafter.dir('praxis', praxis)]));
    const target = join(dir, 'long-dir');
    const result = await restore(repo, record, { target, workers: 1 });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.errors.map((e) => e.path),
      [`/praxis/${long}`],
    );
    assert.match(result.errors[0]!.message, /ENAMETOOLONG/);
    assert.equal(await readFile(join(target, 'praxis', 'ok.txt'), 'utf8'), 'restored');
  });

  it('restores a file whose name is as long as the file system allows', async () => {
    const crafter = await Crafter.open(repo);
    const name = `${'f'.repeat(250)}.txt`; // 254 bytes: the temporary name must not be longer
    const praxis = await crafter.tree([await crafter.file(name, 'long name')]);
    const record = await crafter.snapshot(await crafter.tree([crafter.dir('praxis', praxis)]));
    const target = join(dir, 'long-file');
    const result = await restore(repo, record, { target, workers: 1 });
    assert.deepEqual(result.errors, []);
    assert.equal(await readFile(join(target, 'praxis', name), 'utf8'), 'long name');
    assert.deepEqual(await readdir(join(target, 'praxis')), [name], 'no temporary file left');
  });

  it('never writes outside the target: unsafe names and a symlink with a directory of the same name are refused', async () => {
    const crafter = await Crafter.open(repo);
    const evil = await crafter.file('evil.txt', 'escaped');
    const inner = await crafter.tree([evil]);
    const trees: BlobId[] = [];
    for (const name of ['..', '.', '', 'x/../../..', 'a\u0000b', '..\\..']) {
      trees.push(await crafter.rawTree({ v: 1, nodes: [{ ...crafter.dir(name, inner) }, evil] }));
    }
    // The same name twice (not sorted strictly): a symlink out of the target, then a directory
    // whose files would be written through it.
    trees.push(
      await crafter.rawTree({
        v: 1,
        nodes: [
          { name: 'x', type: 'symlink', ...META, target: '../../outside' },
          { ...crafter.dir('x', inner) },
        ],
      }),
    );
    const root = await crafter.tree(trees.map((tree, i) => crafter.dir(`t${i}`, tree)));
    const record = await crafter.snapshot(root);
    const base = join(dir, 'escape');
    const target = join(base, 'a', 'b', 'target');
    await mkdir(target, { recursive: true });
    const result = await restore(repo, record, { target, workers: 1 });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.errors.map((e) => e.path),
      trees.map((_, i) => `/t${i}`),
    );
    for (const error of result.errors) assert.match(error.message, /directory listing damaged/);
    assert.deepEqual(await readdir(base), ['a']);
    assert.deepEqual(await readdir(join(base, 'a')), ['b']);
    assert.deepEqual(await readdir(join(base, 'a', 'b')), ['target']);
    assert.deepEqual((await readdir(target)).sort(), trees.map((_, i) => `t${i}`).sort());
  });
});
