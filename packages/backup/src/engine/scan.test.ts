import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { countTotals, scanTotals } from './scan.js';

describe('scanTotals', () => {
  const root = mkdtempSync(join(tmpdir(), 'tresor-scan-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  writeFileSync(join(root, 'a', 'one'), 'x'.repeat(10));
  writeFileSync(join(root, 'a', 'b', 'two'), 'y'.repeat(5));
  writeFileSync(join(root, 'skipped'), 'z'.repeat(100));
  symlinkSync(join(root, 'skipped'), join(root, 'a', 'link'));
  mkdirSync(join(root, 'skipped-dir'));
  writeFileSync(join(root, 'skipped-dir', 'three'), 'w'.repeat(7));

  it('counts the regular files and bytes below the sources, not symlinks, leaving out skipped paths', async () => {
    const skip = new Set([join(root, 'skipped'), join(root, 'skipped-dir')]);
    assert.deepEqual(await scanTotals([root], skip), { files: 2, bytes: 15 });
    assert.deepEqual(countTotals([root], skip), { files: 2, bytes: 15 });
  });

  it('counts a file given as a source, and passes over sources that do not exist', () => {
    const totals = countTotals([join(root, 'a', 'one'), join(root, 'gone'), join(root, 'a', 'b')], new Set());
    assert.deepEqual(totals, { files: 2, bytes: 15 });
    // A symbolic link given as a source is backed up as a link, so nothing behind it is counted.
    symlinkSync(join(root, 'a'), join(root, 'link-to-a'));
    assert.deepEqual(countTotals([join(root, 'link-to-a')], new Set()), { files: 0, bytes: 0 });
  });

  it('stops once its signal aborts, so it never outlives the backup it counts for', async () => {
    const before = new AbortController();
    before.abort();
    assert.deepEqual(await scanTotals([root], new Set(), before.signal), { files: 0, bytes: 0 });
    const during = new AbortController();
    const scan = scanTotals([root], new Set(), during.signal);
    during.abort();
    assert.deepEqual(await scan, { files: 0, bytes: 0 });
  });
});
