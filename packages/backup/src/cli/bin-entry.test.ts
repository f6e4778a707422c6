import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tresor-backup.js', import.meta.url));

/** A package laid out like @tresor/backup whose two entries only say which one ran. */
function fakePackage(root: string): void {
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'dist', 'bundle'), { recursive: true });
  copyFileSync(BIN, join(root, 'bin', 'tresor-backup.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(join(root, 'dist', 'cli.js'), "process.stdout.write('compiled');");
  writeFileSync(join(root, 'dist', 'bundle', 'cli.js'), "process.stdout.write('bundle');");
  writeFileSync(join(root, 'tsconfig.tsbuildinfo'), '{}');
}

const runsIn = (root: string) =>
  execFileSync(process.execPath, [join(root, 'bin', 'tresor-backup.js')], { encoding: 'utf8' });

const touch = (path: string, seconds: number) => {
  utimesSync(path, seconds, seconds);
};

describe('bin/tresor-backup.js', () => {
  const root = mkdtempSync(join(tmpdir(), 'tresor-bin-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  fakePackage(root);

  it('runs the bundle when it was made after the last compile', () => {
    touch(join(root, 'tsconfig.tsbuildinfo'), 1_000);
    touch(join(root, 'dist', 'bundle', 'cli.js'), 2_000);
    assert.equal(runsIn(root), 'bundle');
  });

  it('runs the compiled modules when a compile came after the bundle (a stale bundle never runs)', () => {
    touch(join(root, 'tsconfig.tsbuildinfo'), 3_000);
    assert.equal(runsIn(root), 'compiled');
  });

  it('runs the compiled modules when there is no bundle', () => {
    rmSync(join(root, 'dist', 'bundle'), { recursive: true });
    assert.equal(runsIn(root), 'compiled');
  });
});
