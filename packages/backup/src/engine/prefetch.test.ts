import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { Prefetcher } from './prefetch.js';

/** Bytes this process has read through read(2) and friends so far (Linux). */
function bytesRead(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('rchar:'));
  return Number(line?.split(/\s+/)[1]);
}

describe('Prefetcher', () => {
  const root = mkdtempSync(join(tmpdir(), 'tresor-prefetch-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the hinted files on its own thread', async () => {
    const paths = [0, 1, 2, 3].map((i) => join(root, `file-${i}`));
    for (const path of paths) writeFileSync(path, Buffer.alloc(256 * 1024, 7));
    const prefetch = new Prefetcher();
    const before = bytesRead();
    try {
      prefetch.hint(paths);
      const deadline = Date.now() + 10_000;
      while (bytesRead() - before < 4 * 256 * 1024 && Date.now() < deadline) await sleep(20);
      assert.ok(bytesRead() - before >= 4 * 256 * 1024, 'the hinted files were read');
    } finally {
      await prefetch.close();
    }
  });

  it('passes over missing files and FIFOs without blocking, and ignores hints once closed', async () => {
    const fifo = join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const prefetch = new Prefetcher();
    prefetch.hint([join(root, 'missing'), fifo]);
    assert.equal(prefetch.started, true);
    prefetch.reading(fifo);
    await sleep(100);
    await prefetch.close();
    prefetch.hint([join(root, 'missing')]);
  });

  it('never starts a thread for an empty hint', async () => {
    const prefetch = new Prefetcher();
    prefetch.hint([]);
    prefetch.reading('/not/hinted');
    assert.equal(prefetch.started, false);
    await prefetch.close();
    prefetch.hint([join(root, 'missing')]);
    assert.equal(prefetch.started, false, 'a closed prefetcher starts nothing');
  });
});
