import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { count, days, percent, positiveDays, sizeLimit } from './units.js';

describe('command-line units', () => {
  it('counts are plain decimal whole numbers ≥ 1 (0 would forget every snapshot)', () => {
    assert.equal(count('1'), 1);
    assert.equal(count('14'), 14);
    assert.equal(count(' 7 '), 7);
    for (const bad of ['0', '00', '-1', '1.5', '0x10', '1e1', '0b11', '0o7', '', ' ', 'Infinity', '+3', '3x'])
      assert.throws(() => count(bad), InvalidArgumentError, bad);
  });

  it('size limits are at least 1M: 0.5 or 500 (bytes) cannot empty the repository', () => {
    assert.equal(sizeLimit('1M'), 2 ** 20);
    assert.equal(sizeLimit('1048576'), 2 ** 20);
    assert.equal(sizeLimit('500G'), 500 * 2 ** 30);
    assert.equal(sizeLimit('1.5T'), 1.5 * 2 ** 40);
    assert.equal(sizeLimit('1024KiB'), 2 ** 20);
    for (const bad of ['0', '0.5', '500', '1048575', '1023K', '0.9M', '0x100000', '1e7', '-1G', 'abc'])
      assert.throws(() => sizeLimit(bad), InvalidArgumentError, bad);
  });

  it('days are plain decimals; an age limit must be more than 0 days', () => {
    assert.equal(days('0'), 0);
    assert.equal(days('0.5'), 0.5);
    assert.equal(positiveDays('30'), 30);
    assert.equal(positiveDays('0.5'), 0.5);
    for (const bad of ['0', '0.0', '-1', '0x10', '1e1', '', 'Infinity'])
      assert.throws(() => positiveDays(bad), InvalidArgumentError, bad);
    for (const bad of ['-1', '0x10', '1e1', '']) assert.throws(() => days(bad), InvalidArgumentError, bad);
  });

  it('percentages are plain decimals from 0 to 100', () => {
    assert.equal(percent('0'), 0);
    assert.equal(percent('5%'), 0.05);
    assert.equal(percent('100'), 1);
    for (const bad of ['0x10', '1e1', '101', '-1', ''])
      assert.throws(() => percent(bad), InvalidArgumentError, bad);
  });
});
