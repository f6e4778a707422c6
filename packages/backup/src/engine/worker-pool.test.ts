import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { LARGE_PROFILE } from '../chunker/fastcdc.js';
import { computeBlobId } from '../crypto/blob-id.js';
import { deriveRepositoryKeys, generateMasterKey } from '../crypto/keys.js';
import { type FileJobHandlers, WorkerPool } from './worker-pool.js';

describe('WorkerPool file jobs', () => {
  const root = mkdtempSync(join(tmpdir(), 'tresor-worker-pool-'));
  const keys = deriveRepositoryKeys(generateMasterKey(), 'test-repository');
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const stored: number[] = [];
  const handlers: FileJobHandlers = {
    decide: (ids) => ids.map(() => true),
    store: (blobs) => {
      stored.push(blobs.length);
      return Promise.resolve();
    },
    storeUnasked: (blobs) => {
      stored.push(blobs.length);
      return Promise.resolve();
    },
  };

  it('fails a caller waiting for a free worker when a worker dies, instead of leaving it waiting', async () => {
    const files = Array.from({ length: 17 }, (_, i) => {
      const path = join(root, `busy-${i}`);
      writeFileSync(path, `file ${i}`);
      return path;
    });
    // The main thread never finishes storing: every job keeps its slot.
    const busy: FileJobHandlers = {
      decide: (ids) => ids.map(() => true),
      store: () => new Promise(() => undefined),
      storeUnasked: () => new Promise(() => undefined),
    };
    const pool = new WorkerPool(keys, { size: 1 });
    try {
      const jobs = [];
      for (const path of files.slice(0, 16)) {
        const job = await pool.startFile(path, LARGE_PROFILE, busy, { start: 0, end: null }, 10);
        job.result.catch(() => undefined);
        jobs.push(job);
      }
      const waiting = pool.startFile(files[16]!, LARGE_PROFILE, busy, { start: 0, end: null }, 10);
      const { workers } = pool as unknown as { workers: { worker: Worker }[] };
      await workers[0]!.worker.terminate();
      await assert.rejects(waiting, /a blob worker exited/);
      await Promise.all(jobs.map((job) => assert.rejects(job.result, /a blob worker exited/)));
    } finally {
      await pool.close();
    }
  });

  it('starts its threads at warmUp (once), and the jobs then run on them', async () => {
    const file = join(root, 'warm');
    writeFileSync(file, 'warm content');
    const pool = new WorkerPool(keys, { size: 2 });
    const { workers } = pool as unknown as { workers: { worker: Worker }[] };
    try {
      assert.equal(workers.length, 0, 'no thread before the first job or warmUp');
      pool.warmUp();
      pool.warmUp();
      assert.equal(workers.length, 2, 'warmUp starts every thread, a second call none more');
      const started = [...workers];
      const sealed: number[] = [];
      const job = await pool.startFile(file, LARGE_PROFILE, {
        ...handlers,
        storeUnasked: (blobs) => {
          sealed.push(blobs.length);
          return Promise.resolve();
        },
      });
      const result = await job.result;
      assert.ok(result.ok);
      assert.equal(result.size, 12);
      assert.deepEqual(sealed, [1]);
      assert.deepEqual(workers, started, 'the job ran on the warmed-up threads');
    } finally {
      await pool.close();
    }
  });

  it('sends small files in messages of up to eight, and answers for each file', async () => {
    const files = Array.from({ length: 19 }, (_, i) => {
      const path = join(root, `small-${i}`);
      if (i % 6 !== 5) writeFileSync(path, `small file ${i}`); // every sixth is missing
      return path;
    });
    const pool = new WorkerPool(keys, { size: 1 });
    pool.warmUp();
    const { workers } = pool as unknown as { workers: { worker: Worker }[] };
    const worker = workers[0]!.worker;
    const sent: { op: string; jobs?: unknown[] }[] = [];
    const postMessage = worker.postMessage.bind(worker);
    worker.postMessage = (message: { op: string; jobs?: unknown[] }, transfer?: readonly ArrayBuffer[]) => {
      sent.push(message);
      postMessage(message, transfer as ArrayBuffer[]);
    };
    try {
      const jobs = [];
      const own: FileJobHandlers = { ...handlers, storeUnasked: () => Promise.resolve() };
      for (const path of files) jobs.push(await pool.startFile(path, LARGE_PROFILE, own, undefined, 20));
      const results = await Promise.all(jobs.map((job) => job.result));
      results.forEach((result, i) => {
        if (i % 6 === 5) {
          assert.ok(!result.ok && result.code === 'ENOENT', `file ${i} is missing`);
          return;
        }
        assert.ok(result.ok, `file ${i}`);
        assert.deepEqual(result.content, [computeBlobId(keys.id, Buffer.from(`small file ${i}`))]);
      });
      assert.deepEqual(
        sent.map((message) => [message.op, message.jobs?.length]),
        [
          ['small-files', 8],
          ['small-files', 8],
          ['small-files', 3],
        ],
      );
    } finally {
      await pool.close();
    }
  });

  it('reads a regular file, and does not hang on a FIFO found where a file was', async () => {
    const file = join(root, 'file');
    writeFileSync(file, 'some content');
    const fifo = join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const pool = new WorkerPool(keys, { size: 1 });
    try {
      const fileJob = await pool.startFile(file, LARGE_PROFILE, handlers);
      const fifoJob = await pool.startFile(fifo, LARGE_PROFILE, handlers);
      const [fileResult, fifoResult] = await Promise.all([fileJob.result, fifoJob.result]);
      assert.ok(fileResult.ok && fileResult.before.isFile);
      assert.equal(fileResult.size, 12);
      assert.equal(fileResult.content.length, 1);
      assert.deepEqual(stored, [1], "the file's one blob came sealed with its result");
      assert.ok(fifoResult.ok, 'the FIFO job ends');
      assert.equal(fifoResult.before.isFile, false);
      assert.deepEqual(fifoResult.content, []);
    } finally {
      await pool.close();
    }
  });
});
