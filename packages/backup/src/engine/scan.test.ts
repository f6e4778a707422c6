import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scanTotals } from './scan.js';

describe('scanTotals', () => {
  const root = mkdtempSync(join(tmpdir(), 'tresor-scan-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'one'), 'x'.repeat(10));
  writeFileSync(join(root, 'a', 'b', 'two'), 'y'.repeat(5));
  writeFileSync(join(root, 'skipped'), 'z'.repeat(100));

  it('counts the files and bytes below the sources, leaving out skipped paths', async () => {
    const totals = await scanTotals([root], new Set([join(root, 'skipped')]));
    assert.deepEqual(totals, { files: 2, bytes: 15 });
  });

  it('stops once its signal aborts, so it never outlives the backup it counts for', async () => {
    const done = new AbortController();
    done.abort();
    assert.deepEqual(await scanTotals([root], new Set(), done.signal), { files: 0, bytes: 0 });
  });
});
