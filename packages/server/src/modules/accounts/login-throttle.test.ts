import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../platform/app-error.js';
import {
  ALARM_THRESHOLD,
  ALARM_WINDOW_MS,
  LoginThrottle,
  MAX_QUEUE_MS,
  delayForFailures,
} from './login-throttle.js';

/** A throttle on a fake clock whose waits are recorded, not slept. */
function fakeThrottle() {
  const clock = { now: 0 };
  const waits: number[] = [];
  const throttle = new LoginThrottle(
    () => clock.now,
    async (ms) => {
      waits.push(ms);
    },
  );
  return { clock, waits, throttle };
}

describe('login throttle', () => {
  it('waits min(0.25 s · 2^(n−1), 5 s) after n consecutive failures', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 10].map(delayForFailures),
      [0, 250, 500, 1000, 2000, 4000, 5000, 5000],
    );
  });

  it('delays by account and by address, independently of other accounts', () => {
    const throttle = new LoginThrottle();
    throttle.recordFailure('anna', '10.0.0.1');
    throttle.recordFailure('anna', '10.0.0.1');
    assert.equal(throttle.delayMs('anna', '10.0.0.9'), 500, 'same account from elsewhere');
    assert.equal(throttle.delayMs('bert', '10.0.0.1'), 500, 'same address, other account');
    assert.equal(throttle.delayMs('bert', '10.0.0.2'), 0, 'other account elsewhere is not slowed');
  });

  it('forgives a counted attempt; a success resets the account, not the address', () => {
    const throttle = new LoginThrottle();
    throttle.recordFailure('anna', 'ip');
    throttle.recordFailure('anna', 'ip');
    throttle.forgive('anna', 'ip');
    assert.equal(throttle.delayMs('anna', 'ip'), 250);
    throttle.recordFailure('anna', 'ip');
    throttle.recordSuccess('anna');
    assert.equal(throttle.delayMs('anna', 'elsewhere'), 0, 'the account is clear');
    assert.equal(throttle.delayMs('anna', 'ip'), 500, 'the address still counts its failures');
  });

  it('lets an address’s failures expire after 15 minutes', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    throttle.recordFailure('anna', 'ip');
    throttle.recordFailure('bert', 'ip');
    throttle.recordSuccess('anna');
    throttle.recordSuccess('bert');
    assert.equal(throttle.delayMs('carla', 'ip'), 500);
    now += ALARM_WINDOW_MS;
    assert.equal(throttle.delayMs('carla', 'ip'), 0);
  });

  it('raises one alarm at 5 failures within 15 minutes, not for slow failures', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    const alarms: boolean[] = [];
    for (let i = 0; i < 7; i++) alarms.push(throttle.recordFailure('anna', 'ip').raiseAlarm);
    assert.deepEqual(alarms, [false, false, false, false, true, false, false]);

    const slow = new LoginThrottle(() => now);
    const slowAlarms: boolean[] = [];
    for (let i = 0; i < ALARM_THRESHOLD + 2; i++) {
      now += ALARM_WINDOW_MS / 4 + 1;
      slowAlarms.push(slow.recordFailure('bert', 'ip').raiseAlarm);
    }
    assert.ok(slowAlarms.every((raised) => !raised));
  });

  it('makes parallel attempts wait one after another, like sequential ones', async () => {
    const sequential = fakeThrottle();
    for (let i = 0; i < 12; i++) {
      await sequential.throttle.attempt('anna', 'ip');
      sequential.clock.now += sequential.waits.at(-1) ?? 0;
    }
    assert.deepEqual(sequential.waits, [0, 250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000]);

    const parallel = fakeThrottle();
    await Promise.all(Array.from({ length: 6 }, () => parallel.throttle.attempt('anna', 'ip')));
    // Each waits for its own turn: the same moments as the sequential attempts above.
    assert.deepEqual(parallel.waits, [0, 250, 750, 1750, 3750, 7750]);
    parallel.waits.length = 0;
    parallel.clock.now = 7750;
    const later = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => parallel.throttle.attempt('anna', `ip${i}`)),
    );
    assert.deepEqual(parallel.waits, [5000, 10000, 15000, 20000, 25000, 30000]);
    assert.ok(30000 <= MAX_QUEUE_MS && MAX_QUEUE_MS < 35000);
    const refused = later.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    assert.equal(refused.length, 2, 'a turn more than MAX_QUEUE_MS ahead is refused');
    for (const error of refused) {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'request.rate_limited');
      assert.equal(error.status, 429);
    }
    // Refused attempts take no turn: once the queue has passed, the next one waits 5 s.
    parallel.clock.now += 30000;
    await parallel.throttle.attempt('anna', 'ip');
    assert.equal(parallel.waits.at(-1), 5000);
    assert.equal(parallel.throttle.delayMs('bert', 'elsewhere'), 0, 'other accounts are not slowed');
  });

  it('queues parallel attempts per address too, and alarms once for them', async () => {
    const { throttle, waits } = fakeThrottle();
    const outcomes = await Promise.all(
      ['anna', 'bert', 'carla', 'dora', 'emil', 'fritz'].map((account) => throttle.attempt(account, 'ip')),
    );
    assert.deepEqual(waits, [0, 250, 750, 1750, 3750, 7750]);
    assert.ok(
      outcomes.every((o) => !o.raiseAlarm),
      'one failure per account',
    );
    const { throttle: single } = fakeThrottle();
    const alarms = await Promise.all(Array.from({ length: 7 }, () => single.attempt('anna', 'ip')));
    assert.deepEqual(
      alarms.map((o) => o.raiseAlarm),
      [false, false, false, false, true, false, false],
    );
  });
});
