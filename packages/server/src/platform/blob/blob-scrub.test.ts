import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BlobDamageStore } from './blob-scrub.js';
import { describeBlobScrub, scrubBlobs } from './blob-scrub.js';
import type { BlobKey } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';

/** The scrub's record in memory. */
class MemoryDamage implements BlobDamageStore {
  readonly keys = new Set<string>();
  markDamaged(key: BlobKey): Promise<void> {
    this.keys.add(key);
    return Promise.resolve();
  }
  clearDamaged(key: BlobKey): Promise<void> {
    this.keys.delete(key);
    return Promise.resolve();
  }
  damagedKeys(): Promise<ReadonlySet<string>> {
    return Promise.resolve(new Set(this.keys));
  }
  unalarmed(): Promise<{ keys: readonly BlobKey[]; practices: ReadonlyMap<string, number> }> {
    return Promise.resolve({ keys: [], practices: new Map() });
  }
  markAlarmed(): Promise<void> {
    return Promise.resolve();
  }
}

describe('scrubBlobs', () => {
  const roots: string[] = [];
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  async function storeWith(...contents: string[]) {
    const root = await mkdtemp(join(tmpdir(), 'tresor-scrub-'));
    roots.push(root);
    const store = await FsBlobStore.open(root);
    const keys: BlobKey[] = [];
    for (const content of contents) keys.push((await store.put(Buffer.from(content))).key);
    return { store, keys, pathOf: (key: BlobKey) => join(root, 'sha256', key.slice(0, 2), key) };
  }

  it('finds a blob whose bytes rotted, records it, and forgets it once the same bytes are stored again', async () => {
    const { store, keys, pathOf } = await storeWith('sealed chunk one', 'sealed chunk two', 'pack three');
    const damage = new MemoryDamage();

    const clean = await scrubBlobs(store, damage);
    assert.deepEqual(clean, { blobs: 3, bytes: 42, damaged: 0, healed: 0, complete: true });
    assert.equal(damage.keys.size, 0);

    await writeFile(pathOf(keys[1]!), 'sealed chunk twO'); // one byte flipped on disk
    const found = await scrubBlobs(store, damage);
    assert.equal(found.damaged, 1);
    assert.deepEqual([...damage.keys], [keys[1]]);
    assert.match(describeBlobScrub(found), /1 damaged.*replicate --repair/);

    // Found again on the next pass, still recorded once.
    assert.equal((await scrubBlobs(store, damage)).damaged, 1);
    assert.equal(damage.keys.size, 1);

    await store.put(Buffer.from('sealed chunk two')); // the owner stores the same bytes again
    const healed = await scrubBlobs(store, damage);
    assert.deepEqual({ damaged: healed.damaged, healed: healed.healed }, { damaged: 0, healed: 1 });
    assert.equal(damage.keys.size, 0);
  });

  it('keeps to its read rate: pauses until the bytes read so far are due', async () => {
    const { store } = await storeWith('x'.repeat(300), 'y'.repeat(100), 'z'.repeat(600));
    let clock = 0;
    const pauses: number[] = [];
    const summary = await scrubBlobs(store, new MemoryDamage(), {
      bytesPerSecond: 100,
      now: () => clock,
      sleep: (ms) => {
        pauses.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    assert.equal(summary.bytes, 1000);
    assert.ok(
      pauses.every((ms) => ms > 0 && ms <= 250),
      'short steps',
    );
    assert.equal(clock, 10_000, '1000 bytes at 100 bytes/s take 10 s');
  });

  it('ends a pause for its read rate as soon as it is stopped', async () => {
    const { store } = await storeWith('x'.repeat(1000), 'y'.repeat(1000));
    let clock = 0;
    let stopping = false;
    const summary = await scrubBlobs(store, new MemoryDamage(), {
      bytesPerSecond: 10, // each blob alone would be due after 100 s
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        stopping = clock >= 1000;
        return Promise.resolve();
      },
      stopped: () => stopping,
    });
    assert.equal(summary.complete, false);
    assert.equal(summary.blobs, 1);
    assert.equal(clock, 1000, 'stopped one step after the stop, not after 100 s');
  });

  it('passes over a blob deleted since it was listed, and stops when asked to', async () => {
    const { store, keys } = await storeWith('a', 'b', 'c');
    const damage = new MemoryDamage();
    await store.delete(keys[0]!);
    assert.equal((await scrubBlobs(store, damage)).blobs, 2);
    const stopped = await scrubBlobs(store, damage, { stopped: () => true });
    assert.deepEqual(stopped, { blobs: 0, bytes: 0, damaged: 0, healed: 0, complete: false });
  });
});
