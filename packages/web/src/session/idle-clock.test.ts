import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdleClock } from './idle-clock';

describe('IdleClock', () => {
  it('restarts the idle time on input while it has not run out', () => {
    let now = 1_000;
    const clock = new IdleClock(600_000, () => now);
    now += 599_000;
    assert.equal(clock.activity(), false);
    now += 599_000;
    assert.equal(clock.expired(), false);
    assert.equal(clock.remaining(), 1_000);
  });

  it('reports input after the idle time ran out (a tab in the background, a sleeping laptop) as idle', () => {
    let now = 1_000;
    const clock = new IdleClock(600_000, () => now);
    now += 3_600_000; // the timer never fired: the machine slept for an hour
    assert.equal(clock.expired(), true);
    assert.equal(clock.activity(), true, 'the first click after waking locks instead of extending');
    assert.equal(clock.remaining(), 0);
  });
});
