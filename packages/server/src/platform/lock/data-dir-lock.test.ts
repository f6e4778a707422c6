import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../startup-error.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';

const LOCK_MODULE = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));

let root: string;
let deadPid: number;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tresor-lock-'));
  // The pid of a process that has exited: what a server killed with -9 leaves in its lock.
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  deadPid = child.pid ?? 999_999;
});
after(() => rm(root, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);

function isInUse(result: PromiseSettledResult<DataDirLock>): boolean {
  return (
    result.status === 'rejected' &&
    result.reason instanceof StartupError &&
    result.reason.code === 'data_dir.in_use'
  );
}

/** Stale locks as a crashed server leaves them: this version's format, and the bare pid of earlier ones. */
function staleLocks(): string[] {
  return [
    `${JSON.stringify({ pid: deadPid, host: hostname(), since: '2026-01-01T00:00:00.000Z', nonce: 'n' })}\n`,
    `${deadPid}\n`,
  ];
}

it('gives a stale lock to exactly one of several concurrent starters, every time', async () => {
  const trials = 100;
  for (let trial = 0; trial < trials; trial++) {
    const dir = freshDir();
    await lockDataDir(dir).then((lock) => lock.release()); // creates the directory
    await writeFile(join(dir, 'tresor.pid'), staleLocks()[trial % 2] ?? '');
    const results = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir), lockDataDir(dir)]);
    const winners = results.filter((result) => result.status === 'fulfilled');
    assert.equal(winners.length, 1, `trial ${trial}: ${winners.length} starters got the lock`);
    assert.ok(results.filter((result) => result.status === 'rejected').every(isInUse));
    await winners[0]?.value.release();
    assert.deepEqual(await readdir(dir), [], 'no lock, claim or temporary file is left behind');
  }
});

it('gives a stale lock to exactly one of several concurrent server processes', async () => {
  // Each child takes the lock of the directory it is sent, reports, and releases when told.
  const script = `
    import { createInterface } from 'node:readline';
    const { lockDataDir } = await import(${JSON.stringify(LOCK_MODULE)});
    let lock;
    process.stdout.write('ready\\n');
    for await (const line of createInterface({ input: process.stdin })) {
      if (line === 'release') {
        await lock?.release();
        lock = undefined;
        process.stdout.write('released\\n');
      } else {
        lock = await lockDataDir(line).catch((error) => void process.stdout.write(error.code + '\\n'));
        if (lock) process.stdout.write('won\\n');
      }
    }
  `;
  const children = Array.from({ length: 3 }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => String((await lines.next()).value);
    return { child, next };
  });
  try {
    for (const { next } of children) assert.equal(await next(), 'ready');
    for (let trial = 0; trial < 25; trial++) {
      const dir = freshDir();
      await lockDataDir(dir).then((lock) => lock.release());
      await writeFile(join(dir, 'tresor.pid'), staleLocks()[trial % 2] ?? '');
      for (const { child } of children) child.stdin.write(`${dir}\n`);
      const outcomes = await Promise.all(children.map(({ next }) => next()));
      assert.deepEqual(outcomes.sort(), ['data_dir.in_use', 'data_dir.in_use', 'won'], `trial ${trial}`);
      for (const { child } of children) child.stdin.write('release\n');
      for (const { next } of children) assert.equal(await next(), 'released');
      assert.deepEqual(await readdir(dir), []);
    }
  } finally {
    for (const { child } of children) child.stdin.end();
    await Promise.all(children.map(({ child }) => once(child, 'exit')));
  }
});

it('refuses while the holder lives: another process, or another lock of this process', async () => {
  const dir = freshDir();
  const first = await lockDataDir(dir);
  await assert.rejects(lockDataDir(dir), /is in use by another Tresor server \(pid \d+/);
  await first.release();

  // A live process of this host (our parent) in the format of an earlier version and of this one.
  for (const content of [
    `${process.ppid}\n`,
    JSON.stringify({ pid: process.ppid, host: hostname(), nonce: 'x' }),
  ]) {
    await writeFile(join(dir, 'tresor.pid'), content);
    await assert.rejects(lockDataDir(dir), (error: StartupError) => {
      assert.equal(error.code, 'data_dir.in_use');
      assert.match(error.message, new RegExp(`in use by another Tresor server \\(pid ${process.ppid}\\)`));
      return true;
    });
    assert.equal(await readFile(join(dir, 'tresor.pid'), 'utf8'), content, 'the lock stays as it was');
  }
});

it("takes over an earlier run's lock with our own pid, never one of another host with any pid", async () => {
  const dir = freshDir();
  await lockDataDir(dir).then((lock) => lock.release());
  // A restarted container: the earlier run was PID 1 too, on the same host.
  await writeFile(
    join(dir, 'tresor.pid'),
    JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'earlier-run' }),
  );
  const lock = await lockDataDir(dir);
  await lock.release();

  // Another container on the same volume: also PID 1 in its own namespace, not visible here.
  const other = JSON.stringify({
    pid: process.pid,
    host: 'other-container',
    since: '2026-12-01T00:00:00.000Z',
  });
  await writeFile(join(dir, 'tresor.pid'), other);
  await assert.rejects(lockDataDir(dir), (error: StartupError) => {
    assert.equal(error.code, 'data_dir.in_use');
    assert.match(error.message, /\(pid \d+ on host other-container\) since 2026-12-01/);
    assert.match(error.message, /delete .*tresor\.pid/);
    return true;
  });
  assert.equal(await readFile(join(dir, 'tresor.pid'), 'utf8'), other);
});

it('is not blocked by the takeover claim of a starter that crashed mid-takeover', async () => {
  const dir = freshDir();
  await lockDataDir(dir).then((lock) => lock.release());
  const stale = staleLocks()[0] ?? '';
  await writeFile(join(dir, 'tresor.pid'), stale);
  const digest = createHash('sha256').update(stale).digest('hex').slice(0, 16);
  await writeFile(
    join(dir, `tresor.pid.takeover-${digest}`),
    JSON.stringify({ pid: deadPid, host: hostname(), nonce: 'crashed-taker' }),
  );
  const lock = await lockDataDir(dir);
  const held = JSON.parse(await readFile(join(dir, 'tresor.pid'), 'utf8')) as { pid: number };
  assert.equal(held.pid, process.pid);
  await lock.release();
  assert.deepEqual(await readdir(dir), []);
});

it('releases only its own lock', async () => {
  const dir = freshDir();
  const lock = await lockDataDir(dir);
  const content = JSON.parse(await readFile(join(dir, 'tresor.pid'), 'utf8')) as Record<string, unknown>;
  assert.equal(content.pid, process.pid);
  assert.equal(content.host, hostname());
  // Someone removed it and another server took the directory: releasing must not free theirs.
  const theirs = JSON.stringify({ pid: process.ppid, host: hostname(), nonce: 'theirs' });
  await writeFile(join(dir, 'tresor.pid'), theirs);
  await lock.release();
  assert.equal(await readFile(join(dir, 'tresor.pid'), 'utf8'), theirs);
});
