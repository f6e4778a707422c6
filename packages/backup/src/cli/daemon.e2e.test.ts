import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, jsonLines, runCli, spawnCli } from '../testing/cli-process.js';
import { removeDir, tempDir } from '../testing/fixtures.js';

describe('tresor-backup daemon (built, run as a service would)', () => {
  let dir: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-daemon-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('runs the plan at start (--run-now), applies retention, waits for the schedule, stops on SIGTERM', async () => {
    const source = join(dir, 'praxis');
    await mkdir(source);
    await writeFile(join(source, 'brief.txt'), 'Sehr geehrte Frau Kollegin');
    const plan = join(dir, 'plan.json');
    const env = {
      TRESOR_BACKUP_REPO: join(dir, 'repo'),
      TRESOR_BACKUP_PASSPHRASE: 'daemon passphrase',
      TRESOR_BACKUP_PLAN: plan,
    };
    await writeFile(
      plan,
      JSON.stringify({
        format: 'tresor-backup-plan',
        version: 1,
        sources: [{ id: 'praxis', enabled: true, extraPaths: [source], extraExclude: [] }],
      }),
    );
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);
    const noSchedule = await runCli(['daemon'], env);
    assert.equal(noSchedule.code, 1);
    assert.match(noSchedule.stderr, /has no "schedule"/);

    assert.equal((await runCli(['backup', source], env)).code, 0);
    await writeFile(
      plan,
      JSON.stringify({
        format: 'tresor-backup-plan',
        version: 1,
        sources: [{ id: 'praxis', enabled: true, extraPaths: [source], extraExclude: [] }],
        retention: { keepLast: 1 },
        schedule: { times: ['03:00'], retention: true },
      }),
    );
    const child = spawnCli(['daemon', '--run-now', '--json'], env);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(child, 'exit');
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('"next":') && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 100));
    assert.match(stdout, /"next":/, stdout);
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, stdout);
    const messages = jsonLines(stdout)
      .filter((line) => line.type === 'daemon')
      .map((line) => String(line.message));
    assert.deepEqual(
      messages.map((m) => m.replace(/ .*/, '')),
      ['started', 'run', 'run', 'retention', 'next', 'SIGTERM:', 'stopped'],
    );
    assert.equal(messages[2], 'run finished: complete');
    const next = jsonLines(stdout).find((line) => line.type === 'daemon' && 'next' in line);
    assert.equal(new Date(String(next?.next)).getHours(), 3);
    const listed = jsonLines((await runCli(['snapshots', '--json'], env)).stdout)[0]?.snapshots as unknown[];
    assert.equal(listed.length, 1, 'retention (keep-last 1) ran after the scheduled run');
  });
  it('keeps the last good schedule when the re-read plan has none (edits never stop the daemon)', async () => {
    const root = join(dir, 'edited');
    const source = join(root, 'praxis');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'brief.txt'), 'Befund');
    const plan = join(root, 'plan.json');
    const env = {
      TRESOR_BACKUP_REPO: join(root, 'repo'),
      TRESOR_BACKUP_PASSPHRASE: 'daemon passphrase',
      TRESOR_BACKUP_PLAN: plan,
    };
    const sources = [{ id: 'praxis', enabled: true, extraPaths: [source], extraExclude: [] }];
    // Every minute of the day, so the scheduled run (which re-reads the plan) comes within a minute.
    const times = Array.from(
      { length: 24 * 60 },
      (_, m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`,
    );
    await writeFile(
      plan,
      JSON.stringify({ format: 'tresor-backup-plan', version: 1, sources, schedule: { times } }),
    );
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);
    // Start early in a minute, so the plan is edited well before the first scheduled run.
    while (new Date().getSeconds() >= 45) await new Promise((done) => setTimeout(done, 250));
    const child = spawnCli(['daemon', '--json'], env);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let exitCode: number | null | undefined;
    const exited = once(child, 'exit').then(([code]) => (exitCode = code as number | null));
    const waitFor = async (count: number): Promise<void> => {
      const deadline = Date.now() + 90_000;
      while (stdout.split('"next":').length - 1 < count && exitCode === undefined && Date.now() < deadline)
        await new Promise((done) => setTimeout(done, 100));
    };
    await waitFor(1);
    assert.match(stdout, /"next":/, stdout);
    // The schedule is removed while the daemon waits: the next run must not end the daemon.
    await writeFile(plan, JSON.stringify({ format: 'tresor-backup-plan', version: 1, sources }));
    await waitFor(2);
    assert.equal(exitCode, undefined, `the daemon is still running: ${stdout}`);
    child.kill('SIGTERM');
    await exited;
    assert.equal(exitCode, 0, stdout);
    const messages = jsonLines(stdout)
      .filter((line) => line.type === 'daemon')
      .map((line) => String(line.message));
    assert.deepEqual(
      messages.map((m) => m.replace(/ .*/, '')),
      ['started', 'next', 'warning:', 'run', 'run', 'next', 'SIGTERM:', 'stopped'],
    );
    assert.match(messages[2]!, /the last good one is used: .*has no "schedule"/);
    assert.equal(messages[4], 'run finished: complete');
  });

  it('stops cleanly (exit code 0, no run) on a SIGTERM before the repository is opened', async () => {
    const root = join(dir, 'early');
    const source = join(root, 'praxis');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'brief.txt'), 'Befund');
    const plan = join(root, 'plan.json');
    const env = { TRESOR_BACKUP_REPO: join(root, 'repo'), TRESOR_BACKUP_PLAN: plan };
    await writeFile(
      plan,
      JSON.stringify({
        format: 'tresor-backup-plan',
        version: 1,
        sources: [{ id: 'praxis', enabled: true, extraPaths: [source], extraExclude: [] }],
        schedule: { times: ['03:00'] },
      }),
    );
    const init = ['init', '--kdf-memory', '8', '--kdf-iterations', '1'];
    assert.equal((await runCli(init, { ...env, TRESOR_BACKUP_PASSPHRASE: 'daemon passphrase' })).code, 0);
    // The passphrase comes through a named pipe: the daemon waits in opening the repository
    // until the test writes it, so the SIGTERM surely comes before the repository is open.
    const fifo = join(root, 'passphrase');
    execFileSync('mkfifo', [fifo]);
    const child = spawnCli(['daemon', '--run-now', '--json', '--passphrase-file', fifo], env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let exit: [number | null, NodeJS.Signals | null] | undefined;
    const exited = once(child, 'exit').then(([code, signal]) => {
      exit = [code as number | null, signal as NodeJS.Signals | null];
    });
    const waitFor = async (done: () => boolean): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!done() && exit === undefined && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    };
    // Opening the pipe for writing (without blocking) succeeds once the daemon opened it to read.
    let writer: FileHandle | undefined;
    const deadline = Date.now() + 30_000;
    while (writer === undefined && exit === undefined && Date.now() < deadline) {
      writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
      if (writer === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(writer, `the daemon reads the passphrase: ${stdout}${stderr}`);
    child.kill('SIGTERM');
    await waitFor(() => stdout.includes('SIGTERM'));
    await writer.writeFile('daemon passphrase\n').catch(() => undefined); // EPIPE if it died
    await writer.close().catch(() => undefined);
    await exited;
    assert.deepEqual(exit, [0, null], `${stdout}${stderr}`);
    const messages = jsonLines(stdout)
      .filter((line) => line.type === 'daemon')
      .map((line) => String(line.message));
    assert.deepEqual(
      messages.map((m) => m.replace(/ .*/, '')),
      ['SIGTERM:', 'stopped'],
    );
    const listed = await runCli(['snapshots', '--json'], {
      ...env,
      TRESOR_BACKUP_PASSPHRASE: 'daemon passphrase',
    });
    assert.deepEqual(jsonLines(listed.stdout)[0]?.snapshots, [], 'no run after the SIGTERM (--run-now)');
  });
});
