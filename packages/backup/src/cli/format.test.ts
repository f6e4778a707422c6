import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTime } from './format.js';

describe('formatTime', () => {
  it('shows a tree time as date and time', () => {
    assert.equal(formatTime('1763900000123456789'), '2025-11-23 12:13:20');
    assert.equal(formatTime('0'), '1970-01-01 00:00:00');
  });

  it('shows a time beyond what a Date holds (a tree may say ±10²⁵ ns) as its nanoseconds, not a RangeError', () => {
    for (const ns of ['9'.repeat(25), `-${'9'.repeat(25)}`, '8640000000000001000000']) {
      assert.equal(formatTime(ns), `${ns} ns`);
    }
  });
});
