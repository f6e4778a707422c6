import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalidSchedule, nextRun } from './schedule.js';

const local = (y: number, m: number, d: number, h: number, min: number) => new Date(y, m - 1, d, h, min);

describe('daemon schedule', () => {
  it('picks the next time today, else the first one tomorrow (local time)', () => {
    assert.deepEqual(nextRun(local(2026, 11, 23, 12, 0), ['19:00']), local(2026, 11, 23, 19, 0));
    assert.deepEqual(
      nextRun(local(2026, 11, 23, 19, 0), ['19:00']),
      local(2026, 11, 24, 19, 0),
      'strictly after',
    );
    assert.deepEqual(nextRun(local(2026, 11, 23, 20, 0), ['19:00', '06:30']), local(2026, 11, 24, 6, 30));
    assert.deepEqual(nextRun(local(2026, 11, 23, 5, 0), ['19:00', '06:30']), local(2026, 11, 23, 6, 30));
    assert.deepEqual(nextRun(local(2026, 12, 31, 23, 59), ['00:00']), local(2027, 1, 1, 0, 0));
  });

  it("validates a plan's schedule", () => {
    assert.equal(invalidSchedule({ times: ['19:00'], retention: true }), undefined);
    assert.match(invalidSchedule({ times: [] }) ?? '', /non-empty/);
    assert.match(invalidSchedule({ times: ['24:00'] }) ?? '', /"24:00" is not a time/);
    assert.match(invalidSchedule({ times: ['7:00'] }) ?? '', /not a time/);
    assert.match(invalidSchedule({ times: ['19:00'], every: 'day' }) ?? '', /unknown field "every"/);
    assert.match(invalidSchedule({ times: ['19:00'], retention: 'yes' }) ?? '', /true or false/);
  });
});
