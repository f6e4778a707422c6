import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeriodicJob } from './periodic-job.js';

function logger() {
  const errors: string[] = [];
  return { errors, error: (_details: object, message: string) => void errors.push(message) };
}

describe('PeriodicJob', () => {
  it('never runs two passes at once', async () => {
    let running = 0;
    let most = 0;
    const job = new PeriodicJob({
      pass: async () => {
        most = Math.max(most, ++running);
        await sleep(5);
        running--;
        return running;
      },
      logger: logger(),
      failureMessage: 'failed',
      firstRunAfterMs: 60_000,
      intervalMs: 60_000,
    });
    await Promise.all([job.runOnce(), job.runOnce(), job.runOnce()]);
    assert.equal(most, 1);
  });

  it('logs a failed scheduled pass and runs the next one', async () => {
    const log = logger();
    let passes = 0;
    const job = new PeriodicJob({
      pass: () => {
        passes++;
        return passes === 1 ? Promise.reject(new Error('database gone')) : Promise.resolve(passes);
      },
      logger: log,
      failureMessage: 'the pass failed; will retry',
      firstRunAfterMs: 0,
      intervalMs: 1,
    });
    job.start();
    while (passes < 2) await sleep(1);
    await job.stop();
    assert.deepEqual(log.errors, ['the pass failed; will retry']);
    const before = passes;
    assert.equal(await job.runOnce(), before + 1, 'runOnce still works after a failure');
  });

  it('tells a pass in progress to stop, waits for it, and schedules nothing more', async () => {
    let passes = 0;
    let sawStop = false;
    const job = new PeriodicJob({
      pass: async (stopped) => {
        passes++;
        while (!stopped()) await sleep(1);
        sawStop = true;
      },
      logger: logger(),
      failureMessage: 'failed',
      firstRunAfterMs: 0,
      intervalMs: 1,
    });
    job.start();
    while (passes < 1) await sleep(1);
    await job.stop();
    assert.ok(sawStop);
    await sleep(10);
    assert.equal(passes, 1);
    job.start();
    await sleep(10);
    assert.equal(passes, 1, 'a stopped job does not start again');
  });
});
