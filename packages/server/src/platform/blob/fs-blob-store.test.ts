import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  mkdtemp,
  open,
  readdir,
  realpath,
  rm,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { type TestContext, after, before, describe, it } from 'node:test';
import { type BlobKey, BlobStoreError } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex') as BlobKey;

async function openStore() {
  const root = await mkdtemp(join(tmpdir(), 'tresor-blobs-'));
  return { root, store: await FsBlobStore.open(root) };
}

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}

describe('FsBlobStore', () => {
  it('stores streamed content under its SHA-256 and reads it back', async () => {
    const { store } = await openStore();
    const info = await store.put(chunks('hello ', 'world'));
    assert.deepEqual(info, { key: sha256('hello world'), size: 11 });
    const stream = await store.get(info.key);
    assert.ok(stream);
    assert.equal(await text(stream), 'hello world');
    const head = await store.head(info.key);
    assert.ok(head);
    assert.ok(Math.abs(head.modifiedAt.getTime() - Date.now()) < 60_000);
    assert.deepEqual(head, { ...info, modifiedAt: head.modifiedAt });
  });

  it('deduplicates identical content and lists every key once', async () => {
    const { store } = await openStore();
    const a = await store.put(Buffer.from('a'));
    await store.put(Buffer.from('a'));
    const b = await store.put(Buffer.from('b'));
    const keys: string[] = [];
    for await (const key of store.list()) keys.push(key);
    assert.deepEqual(keys.sort(), [a.key, b.key].sort());
  });

  it('writes a blob that damaged on disk anew when the same content is put again', async () => {
    const { root, store } = await openStore();
    const { key } = await store.put(chunks('Befund vom April'));
    const path = join(root, 'sha256', key.slice(0, 2), key);
    await writeFile(path, 'Befund vom Apri!'); // rot: one byte changed
    assert.equal(await text((await store.get(key))!), 'Befund vom Apri!');
    await store.put(chunks('Befund vom April'));
    assert.equal(await text((await store.get(key))!), 'Befund vom April');
  });

  it('answers undefined/false for missing blobs', async () => {
    const { store } = await openStore();
    const missing = sha256('missing');
    assert.equal(await store.get(missing), undefined);
    assert.equal(await store.head(missing), undefined);
    assert.equal(await store.delete(missing), false);
  });

  it('deletes', async () => {
    const { store } = await openStore();
    const { key } = await store.put(Buffer.from('gone'));
    assert.equal(await store.delete(key), true);
    assert.equal(await store.head(key), undefined);
  });

  it('refuses content that does not match the expected key, leaving nothing behind', async () => {
    const { root, store } = await openStore();
    await assert.rejects(
      store.put(Buffer.from('tampered'), { expectedKey: sha256('original') }),
      (error: unknown) => error instanceof BlobStoreError && error.code === 'blob.digest_mismatch',
    );
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    assert.deepEqual(await readdir(join(root, 'sha256')), []);
  });

  it('refuses oversized content without a partial blob', async () => {
    const { root, store } = await openStore();
    await assert.rejects(
      store.put(chunks('1234', '5678'), { maxBytes: 6 }),
      (error: unknown) => error instanceof BlobStoreError && error.code === 'blob.too_large',
    );
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    assert.deepEqual(await readdir(join(root, 'sha256')), []);
  });

  it('never exposes a blob whose source stream failed midway', async () => {
    const { root, store } = await openStore();
    async function* failing() {
      yield Buffer.from('partial');
      throw new Error('connection reset');
    }
    await assert.rejects(store.put(failing()), /connection reset/);
    assert.deepEqual(await readdir(join(root, 'sha256')), []);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
  });

  it('removes temp files left by a crash when opened again', async () => {
    const { root } = await openStore();
    await writeFile(join(root, 'tmp', 'left-over'), 'half a blob');
    await FsBlobStore.open(root);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
  });

  it('keeps staged blobs invisible until committed, then shows all of them', async () => {
    const { store } = await openStore();
    const staged = [await store.stage(chunks('one')), await store.stage(Buffer.from('two'))];
    assert.deepEqual(
      staged.map(({ key, size }) => ({ key, size })),
      [
        { key: sha256('one'), size: 3 },
        { key: sha256('two'), size: 3 },
      ],
    );
    assert.equal(await store.head(sha256('one')), undefined);
    await store.commit(staged);
    assert.equal(await text((await store.get(sha256('one')))!), 'one');
    assert.equal(await text((await store.get(sha256('two')))!), 'two');
  });

  it('drops discarded staged blobs without a trace, and staged ones left by a crash on open', async () => {
    const { root, store } = await openStore();
    const dropped = await store.stage(Buffer.from('dropped'));
    await store.discard([dropped]);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    await store.stage(Buffer.from('never committed'));
    assert.equal((await readdir(join(root, 'tmp'))).length, 1);
    await FsBlobStore.open(root);
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    assert.deepEqual(await readdir(join(root, 'sha256')), []);
  });

  it('refuses a staged token that is not its own', async () => {
    const { store } = await openStore();
    const forged = { key: sha256('x'), size: 1, token: '../sha256/ab/x' };
    await assert.rejects(store.commit([forged]), TypeError);
  });

  it('rejects malformed keys', async () => {
    const { store } = await openStore();
    await assert.rejects(store.head('../../etc/passwd' as BlobKey), TypeError);
  });
});

/**
 * The store on a real, small file system (a 1 MiB tmpfs, mounted as root like the backup
 * package's disk-full tests): a blob that does not fit is written only in part by the system.
 */
describe('FsBlobStore on a nearly full disk (1 MiB tmpfs)', () => {
  let dir: string;
  let disk: string;
  let mounted = false;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tresor-blobs-full-'));
    disk = join(dir, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk]);
    mounted = true;
  });
  after(async () => {
    // Lazily: a failed assertion may leave a temp file open.
    if (mounted) execFileSync('umount', ['-l', disk]);
    await rm(dir, { recursive: true, force: true });
  });

  it('fails a blob the disk takes only part of, leaving no blob and no temp file', async () => {
    const root = join(disk, 'blobs');
    const store = await FsBlobStore.open(root);
    const { bavail, bsize } = await statfs(disk);
    const filler = join(disk, 'filler');
    await writeFile(filler, new Uint8Array(bavail * bsize - 64 * 1024));
    // One write of 256 KiB, of which the disk takes some 64 KiB (a short write, no error yet).
    const content = randomBytes(256 * 1024);
    await assert.rejects(store.put(content), { code: 'ENOSPC' });
    assert.deepEqual(await readdir(join(root, 'sha256')), [], 'no blob under the key of the whole content');
    assert.deepEqual(await readdir(join(root, 'tmp')), [], 'the temp file was removed');

    await rm(filler); // space is back: the same content is stored whole
    const info = await store.put(content);
    assert.deepEqual(info, { key: sha256Bytes(content), size: content.length });
    assert.ok((await buffer((await store.get(info.key))!)).equals(content));
  });
});

describe('FsBlobStore durability of new directories', () => {
  /** Records the path of every file or directory fsynced while `work` runs. */
  async function fsyncedDuring(work: () => Promise<unknown>, t: TestContext) {
    const probe = await open(tmpdir(), 'r');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const sync = proto.sync; // eslint-disable-line @typescript-eslint/unbound-method
    const synced: string[] = [];
    t.mock.method(proto, 'sync', function (this: FileHandle) {
      synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
      return sync.call(this);
    });
    try {
      await work();
    } finally {
      t.mock.restoreAll();
    }
    return synced;
  }

  it('flushes sha256/ when a blob goes into a new prefix directory, before the blob counts as stored', async (t) => {
    const { root, store } = await openStore();
    const sha = join(await realpath(root), 'sha256');
    const key = sha256('first');
    const synced = await fsyncedDuring(() => store.put(Buffer.from('first')), t);
    assert.ok(synced.includes(join(sha, key.slice(0, 2))), 'the prefix directory');
    assert.ok(synced.includes(sha), 'its parent, which holds the new directory name');

    // Once flushed, further blobs in the same prefix flush only the prefix directory.
    const again = await fsyncedDuring(() => store.put(Buffer.from('first')), t);
    assert.ok(!again.includes(sha), again.join(', '));
  });

  it('flushes the root when opening creates sha256/', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'tresor-blobs-'));
    const synced = await fsyncedDuring(() => FsBlobStore.open(root), t);
    assert.ok(synced.includes(await realpath(root)), synced.join(', '));
  });
});

function sha256Bytes(bytes: Uint8Array): BlobKey {
  return createHash('sha256').update(bytes).digest('hex') as BlobKey;
}
