import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
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
    assert.deepEqual(await store.head(info.key), info);
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
