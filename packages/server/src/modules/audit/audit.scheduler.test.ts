import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointScheduler } from './audit.scheduler.js';
import type { CheckpointOutcome } from './audit.service.js';

function fakeCheckpointer(outcomes: (CheckpointOutcome | Error)[]) {
  const calls: string[] = [];
  let active = 0;
  let overlapped = false;
  return {
    calls,
    overlapped: () => overlapped,
    async createCheckpoint(practiceId: string): Promise<CheckpointOutcome> {
      calls.push(practiceId);
      overlapped ||= active > 0;
      active++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      const next = outcomes.shift() ?? { status: 'unchanged', checkpoint: undefined };
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    warn: (_: object, message: string) => lines.push(`warn ${message}`),
    error: (_: object, message: string) => lines.push(`error ${message}`),
  };
}

describe('checkpoint scheduler', () => {
  it('runs early after N appends, never overlaps, and flushes what is due on stop', async () => {
    const checkpointer = fakeCheckpointer([]);
    const logger = recordingLogger();
    const scheduler = new CheckpointScheduler(checkpointer, {
      logger,
      intervalMs: 3_600_000,
      appendsPerCheckpoint: 3,
    });
    scheduler.start();
    for (let i = 0; i < 7; i++) scheduler.noteAppend('p1');
    scheduler.noteAppend('p2');
    await scheduler.stop();
    assert.deepEqual(checkpointer.calls, ['p1', 'p1', 'p1', 'p2']);
    assert.equal(checkpointer.overlapped(), false);
    assert.deepEqual(logger.lines, []);
    scheduler.noteAppend('p3');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(checkpointer.calls, ['p1', 'p1', 'p1', 'p2'], 'nothing runs by itself after stop');
  });

  it('retries a practice whose checkpoint failed, and reports a refusal', async () => {
    const refusal: CheckpointOutcome = {
      status: 'refused',
      problem: { kind: 'chain_broken', seq: 4, detail: 'an entry was changed' },
    };
    const checkpointer = fakeCheckpointer([new Error('database gone'), refusal]);
    const logger = recordingLogger();
    const scheduler = new CheckpointScheduler(checkpointer, { logger });
    scheduler.noteAppend('p1');
    await scheduler.flush();
    await scheduler.flush();
    await scheduler.flush();
    assert.deepEqual(checkpointer.calls, ['p1', 'p1']);
    assert.equal(logger.lines.length, 2);
    assert.match(logger.lines[0]!, /^warn audit checkpoint failed/);
    assert.match(logger.lines[1]!, /^error audit trail failed verification/);
  });

  it('runs on its interval', async () => {
    const checkpointer = fakeCheckpointer([]);
    const scheduler = new CheckpointScheduler(checkpointer, { logger: recordingLogger(), intervalMs: 10 });
    scheduler.start();
    scheduler.noteAppend('p1');
    await new Promise((resolve) => setTimeout(resolve, 60));
    await scheduler.stop();
    assert.deepEqual(checkpointer.calls, ['p1']);
  });
});
