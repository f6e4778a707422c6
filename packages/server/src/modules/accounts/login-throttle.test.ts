import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALARM_THRESHOLD, ALARM_WINDOW_MS, LoginThrottle, delayForFailures } from './login-throttle.js';

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
});
