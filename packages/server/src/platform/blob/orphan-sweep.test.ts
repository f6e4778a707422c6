import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobKey, BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import {
  OrphanBlobSweeper,
  type OrphanSweepStore,
  type SweeperLogger,
  describeOrphanSweep,
  sweepOrphanBlobs,
} from './orphan-sweep.js';

const HOUR = 60 * 60 * 1000;
const roots: string[] = [];
after(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

async function openStore() {
  const root = await mkdtemp(join(tmpdir(), 'tresor-sweep-'));
  roots.push(root);
  const store = await FsBlobStore.open(root);
  /** Sets the blob's modification time `ms` into the past. */
  const age = (key: BlobKey, ms: number) => {
    const at = new Date(Date.now() - ms);
    return utimes(join(root, 'sha256', key.slice(0, 2), key), at, at);
  };
  const keys = async () => {
    const found: string[] = [];
    for await (const key of store.list()) found.push(key);
    return found.sort();
  };
  return { root, store, age, keys };
}

/** References in memory; records each batch and whether a transaction is open. */
class FakeReferences implements OrphanSweepStore {
  readonly referenced = new Set<string>();
  /** Whether blobs the test does not see are referenced (the database is not empty). */
  othersReferenced = true;
  readonly batches: string[][] = [];
  locked = false;
  /** Runs inside the transaction, before the references are read. */
  onLocked: (() => Promise<void>) | undefined;

  async whileLocked<T>(keys: readonly BlobKey[], work: (referenced: ReadonlySet<string>) => Promise<T>) {
    this.batches.push([...keys]);
    this.locked = true;
    try {
      await this.onLocked?.();
      return await work(new Set(keys.filter((key) => this.referenced.has(key))));
    } finally {
      this.locked = false;
    }
  }

  async anyReferenced() {
    return this.othersReferenced || this.referenced.size > 0;
  }
}

function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; details: object; message: string }[] = [];
  const logger: SweeperLogger = {
    info: (details, message) => lines.push({ level: 'info', details, message }),
    warn: (details, message) => lines.push({ level: 'warn', details, message }),
    error: (details, message) => lines.push({ level: 'error', details, message }),
  };
  return { lines, logger };
}

describe('sweepOrphanBlobs', () => {
  it('deletes unreferenced blobs past the grace period, keeps referenced and young ones', async () => {
    const { store, age, keys } = await openStore();
    const orphan = await store.put(Buffer.from('orphan, old'));
    const used = await store.put(Buffer.from('referenced, old'));
    const young = await store.put(Buffer.from('orphan, young'));
    await age(orphan.key, 25 * HOUR);
    await age(used.key, 30 * 24 * HOUR);
    await age(young.key, 23 * HOUR);
    const references = new FakeReferences();
    references.referenced.add(used.key);
    const deleting: boolean[] = [];
    const blobs: BlobStore = Object.create(store) as BlobStore;
    blobs.delete = (key) => {
      deleting.push(references.locked);
      return store.delete(key);
    };

    const summary = await sweepOrphanBlobs(blobs, references);
    assert.deepEqual(summary, {
      blobs: 3,
      bytes: orphan.size + used.size + young.size,
      young: 1,
      referenced: 1,
      deleted: 1,
      deletedBytes: orphan.size,
      complete: true,
      noReferences: false,
    });
    assert.deepEqual(await keys(), [used.key, young.key].sort());
    assert.deepEqual(deleting, [true], 'deleted while its lock was held');
    assert.deepEqual(
      references.batches.flat().sort(),
      [orphan.key, used.key].sort(),
      'young blobs are not locked',
    );
  });

  it('checks old blobs in batches of at most batchSize', async () => {
    const { store, age, keys } = await openStore();
    for (let i = 0; i < 7; i++) await age((await store.put(Buffer.from(`blob ${i}`))).key, 48 * HOUR);
    const references = new FakeReferences();
    const summary = await sweepOrphanBlobs(store, references, { batchSize: 3 });
    assert.deepEqual(
      references.batches.map((batch) => batch.length),
      [3, 3, 1],
    );
    assert.equal(summary.deleted, 7);
    assert.deepEqual(await keys(), []);
  });

  it('honours the grace period and clock it is given', async () => {
    const { store, age, keys } = await openStore();
    const blob = await store.put(Buffer.from('two hours old'));
    await age(blob.key, 2 * HOUR);
    assert.equal((await sweepOrphanBlobs(store, new FakeReferences(), { graceMs: 3 * HOUR })).deleted, 0);
    const later = () => Date.now() + 2 * HOUR;
    assert.equal(
      (await sweepOrphanBlobs(store, new FakeReferences(), { graceMs: 3 * HOUR, now: later })).deleted,
      1,
    );
    assert.deepEqual(await keys(), []);
  });

  it('keeps a blob stored again after it was listed (its writer is about to record it)', async () => {
    const { store, age, keys } = await openStore();
    const blob = await store.put(Buffer.from('stored again'));
    await age(blob.key, 48 * HOUR);
    const references = new FakeReferences();
    references.onLocked = async () => {
      await store.put(Buffer.from('stored again')); // a writer's commit: a fresh file
    };
    const summary = await sweepOrphanBlobs(store, references);
    assert.deepEqual([summary.deleted, summary.young], [0, 1]);
    assert.deepEqual(await keys(), [blob.key]);
  });

  it('ends the transaction only after every deletion of the batch ended, even when one fails', async () => {
    const { store, age } = await openStore();
    const first = await store.put(Buffer.from('fails'));
    const second = await store.put(Buffer.from('slow'));
    await age(first.key, 48 * HOUR);
    await age(second.key, 48 * HOUR);
    const references = new FakeReferences();
    const ends: string[] = [];
    const blobs: BlobStore = Object.create(store) as BlobStore;
    blobs.delete = async (key) => {
      if (key === first.key) throw new Error('EACCES');
      await sleep(50);
      ends.push(`deleted while ${references.locked ? 'locked' : 'unlocked'}`);
      return store.delete(key);
    };
    await assert.rejects(sweepOrphanBlobs(blobs, references), /EACCES/);
    assert.deepEqual(ends, ['deleted while locked']);
  });

  it('stops early when asked', async () => {
    const { store, age, keys } = await openStore();
    await age((await store.put(Buffer.from('kept'))).key, 48 * HOUR);
    const summary = await sweepOrphanBlobs(store, new FakeReferences(), { stopped: () => true });
    assert.equal(summary.complete, false);
    assert.equal((await keys()).length, 1);
  });

  it('deletes nothing when the database refers to no blob at all (a wrong or new database)', async () => {
    const { store, age, keys } = await openStore();
    await store.put(Buffer.from('young'));
    const empty = new FakeReferences();
    empty.othersReferenced = false;
    // Only young blobs: the database is not even asked.
    assert.deepEqual([(await sweepOrphanBlobs(store, empty)).noReferences, empty.batches.length], [false, 0]);
    await age((await store.put(Buffer.from('old'))).key, 48 * HOUR);
    const summary = await sweepOrphanBlobs(store, empty);
    assert.deepEqual([summary.noReferences, summary.complete, summary.deleted], [true, false, 0]);
    assert.equal(empty.batches.length, 0);
    assert.equal((await keys()).length, 2);
    assert.match(describeOrphanSweep(summary, 24 * HOUR), /^Deleted nothing: the database refers to no blob/);

    const { lines, logger } = recordingLogger();
    const sweeper = new OrphanBlobSweeper(store, empty, { logger });
    await sweeper.runOnce();
    await sweeper.stop();
    assert.deepEqual(
      lines.map((line) => [line.level, line.message]),
      [['warn', 'orphaned blob sweep deleted nothing: the database refers to no blob']],
    );
  });

  it('describes a pass in one line for the operator', () => {
    const line = describeOrphanSweep(
      {
        blobs: 12,
        bytes: 3 * 1024 * 1024,
        young: 2,
        referenced: 8,
        deleted: 2,
        deletedBytes: 1536,
        complete: true,
        noReferences: false,
      },
      24 * HOUR,
    );
    assert.equal(
      line,
      'Deleted 2 orphaned blobs (1.5 KiB); checked 12 blobs (3.0 MiB): 8 referenced, 2 written within the last 24 h (not checked).\n',
    );
  });
});

describe('OrphanBlobSweeper', () => {
  it('sweeps at start and then on its interval; a failed pass is logged and retried, never thrown', async () => {
    const { store, age, keys } = await openStore();
    const orphan = await store.put(Buffer.from('orphan'));
    await age(orphan.key, 48 * HOUR);
    let failures = 1;
    const blobs: BlobStore = Object.create(store) as BlobStore;
    blobs.list = () => {
      if (failures-- > 0) throw new Error('store unreachable');
      return store.list();
    };
    const { lines, logger } = recordingLogger();
    const sweeper = new OrphanBlobSweeper(blobs, new FakeReferences(), { logger, intervalMs: 20 });
    sweeper.start();
    for (let tries = 0; lines.length < 2; tries++) {
      assert.ok(tries < 250, 'no second pass');
      await sleep(20);
    }
    await sweeper.stop();
    const [failed, done] = lines;
    assert.ok(failed && done);
    assert.deepEqual([failed.level, failed.message], ['error', 'orphaned blob sweep failed; will retry']);
    assert.match((failed.details as { err: Error }).err.message, /store unreachable/);
    assert.deepEqual([done.level, done.message], ['info', 'orphaned blob sweep done']);
    assert.deepEqual(
      { ...done.details, durationMs: 0 },
      {
        blobs: 1,
        bytes: orphan.size,
        young: 0,
        referenced: 0,
        deleted: 1,
        deletedBytes: orphan.size,
        complete: true,
        noReferences: false,
        durationMs: 0,
      },
    );
    assert.deepEqual(await keys(), []);
  });

  it('stop() waits for the pass under way and no pass starts after it', async () => {
    const { store } = await openStore();
    const { lines, logger } = recordingLogger();
    let listed = 0;
    const blobs: BlobStore = Object.create(store) as BlobStore;
    blobs.list = () => {
      listed++;
      return store.list();
    };
    const sweeper = new OrphanBlobSweeper(blobs, new FakeReferences(), { logger, intervalMs: 10 });
    const pass = sweeper.runOnce();
    await sweeper.stop();
    await pass;
    const after = listed;
    sweeper.start();
    await sleep(50);
    assert.equal(listed, after);
    assert.ok(lines.every((line) => line.level === 'info'));
  });
});
