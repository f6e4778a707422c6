import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobId } from '../crypto/blob-id.js';
import { type SnapshotUsage, applyRetention } from './policy.js';
import { invalidRule } from './rules.js';

const NOW = new Date('2026-11-23T19:30:00Z');
const blob = (name: string) => name as BlobId;
const size = (id: BlobId) => Number(id.split(':')[1] ?? 0);

/** `snap('a', '2026-11-20T19:00Z', ['x:100', 'y:50'])`: blob names carry their stored size. */
function snap(id: string, time: string, blobs: string[] = []): SnapshotUsage {
  return { id, time: new Date(time), blobs: blobs.map(blob) };
}

/** A daily snapshot at 19:00 UTC for each of the last `days` days (d0 = today). */
function daily(days: number): SnapshotUsage[] {
  return Array.from({ length: days }, (_, i) =>
    snap(`d${i}`, new Date(Date.UTC(2026, 10, 23 - i, 19)).toISOString(), [`shared:10`, `own-d${i}:1`]),
  );
}

const forgotten = (result: ReturnType<typeof applyRetention>) =>
  result.decisions.filter((d) => d.forget).map((d) => d.id);
const reasonsOf = (result: ReturnType<typeof applyRetention>, id: string) =>
  result.decisions.find((d) => d.id === id)?.reasons;

describe('retention policy', () => {
  it('no rules: nothing goes', () => {
    const result = applyRetention(daily(5), {}, size, NOW);
    assert.deepEqual(forgotten(result), []);
    assert.deepEqual(reasonsOf(result, 'd0'), ['no-rule-applies']);
  });

  it('keep-last keeps the newest n, forgets the rest as not-kept', () => {
    const result = applyRetention(daily(5), { keepLast: 2 }, size, NOW);
    assert.deepEqual(forgotten(result), ['d2', 'd3', 'd4']);
    assert.deepEqual(reasonsOf(result, 'd3'), ['not-kept']);
    assert.deepEqual(reasonsOf(result, 'd1'), ['keep-last']);
  });

  it('keep-daily keeps the newest snapshot of each of the last n days', () => {
    const snapshots = [
      snap('today-late', '2026-11-23T19:00:00Z'),
      snap('today-early', '2026-11-23T07:00:00Z'),
      snap('yesterday', '2026-11-22T19:00:00Z'),
      snap('older', '2026-11-20T19:00:00Z'),
    ];
    const result = applyRetention(snapshots, { keepDaily: 2 }, size, NOW);
    assert.deepEqual(forgotten(result), ['today-early', 'older']);
    assert.deepEqual(reasonsOf(result, 'yesterday'), ['keep-daily']);
  });

  it('keep-weekly uses ISO weeks and keep-monthly calendar months; reasons add up', () => {
    const result = applyRetention(daily(40), { keepWeekly: 2, keepMonthly: 2 }, size, NOW);
    // 2026-11-23 is a Monday: week 1 = {d0}, week 2 = d1..d7 → newest d1. Months: Nov → d0, Oct → d23.
    assert.deepEqual(
      result.decisions.filter((d) => !d.forget).map((d) => [d.id, d.reasons]),
      [
        ['d0', ['keep-weekly', 'keep-monthly']],
        ['d1', ['keep-weekly']],
        ['d23', ['keep-monthly']],
      ],
    );
  });

  it('max age forgets what is older, even if a keep rule selected it', () => {
    const result = applyRetention(daily(10), { maxAgeDays: 7, keepLast: 10 }, size, NOW);
    assert.deepEqual(forgotten(result), ['d7', 'd8', 'd9']);
    assert.deepEqual(reasonsOf(result, 'd8'), ['max-age']);
  });

  it('the exceptions (min-keep, min-age) protect against every rule', () => {
    const byAge = applyRetention(daily(6), { maxAgeDays: 0, minKeep: 2 }, size, NOW);
    assert.deepEqual(forgotten(byAge), ['d2', 'd3', 'd4', 'd5']);
    assert.deepEqual(reasonsOf(byAge, 'd1'), ['min-keep']);
    const young = applyRetention(daily(6), { keepLast: 1, minAgeDays: 3 }, size, NOW);
    assert.deepEqual(forgotten(young), ['d3', 'd4', 'd5']);
    assert.deepEqual(reasonsOf(young, 'd2'), ['min-age']);
    const bySize = applyRetention(daily(6), { maxTotalBytes: 0, minKeep: 1, minAgeDays: 1.5 }, size, NOW);
    assert.deepEqual(forgotten(bySize), ['d2', 'd3', 'd4', 'd5']);
    assert.equal(bySize.sizeLimitUnmet, true, 'the protected snapshots alone exceed the limit');
  });

  it('the size limit forgets the oldest until the live data fits, counting shared blobs once', () => {
    // Stored sizes: A needs base(1000) + a(100); B needs base + b(200); C needs base + b + c(300).
    const snapshots = [
      snap('A', '2026-11-01T19:00:00Z', ['base:1000', 'a:100']),
      snap('B', '2026-11-02T19:00:00Z', ['base:1000', 'b:200']),
      snap('C', '2026-11-03T19:00:00Z', ['base:1000', 'b:200', 'c:300', 'c:300']),
    ];
    const none = applyRetention(snapshots, { maxTotalBytes: 1600 }, size, NOW);
    assert.equal(none.liveBytesBefore, 1600, 'each blob once, however many snapshots need it');
    assert.deepEqual(forgotten(none), []);
    // Forgetting A frees only a (100): base is still needed by B and C.
    const one = applyRetention(snapshots, { maxTotalBytes: 1599 }, size, NOW);
    assert.deepEqual(forgotten(one), ['A']);
    assert.equal(one.decisions.find((d) => d.id === 'A')?.freedBytes, 100);
    assert.deepEqual(reasonsOf(one, 'A'), ['max-total-size']);
    assert.equal(one.liveBytesAfter, 1500);
    // Forgetting B as well frees nothing more: b is shared with C. So the limit cannot be met
    // while C is protected (min-keep 1), and B is still forgotten on the way.
    const two = applyRetention(snapshots, { maxTotalBytes: 1400, minKeep: 1 }, size, NOW);
    assert.deepEqual(forgotten(two), ['B', 'A']);
    assert.equal(two.decisions.find((d) => d.id === 'B')?.freedBytes, 0);
    assert.equal(two.liveBytesAfter, 1500);
    assert.equal(two.sizeLimitUnmet, true);
  });

  it('freed bytes of rule-forgotten snapshots add up to the total freed', () => {
    const snapshots = [
      snap('A', '2026-11-01T19:00:00Z', ['base:1000', 'a:100', 'ab:50']),
      snap('B', '2026-11-02T19:00:00Z', ['base:1000', 'ab:50', 'b:200']),
      snap('C', '2026-11-03T19:00:00Z', ['base:1000', 'c:300']),
    ];
    const result = applyRetention(snapshots, { keepLast: 1 }, size, NOW);
    const freed = result.decisions.map((d) => [d.id, d.freedBytes]);
    // A first (oldest): frees a only (ab is shared with B); then B frees ab and b.
    assert.deepEqual(freed, [
      ['C', 0],
      ['B', 250],
      ['A', 100],
    ]);
    assert.equal(result.liveBytesBefore - result.liveBytesAfter, 350);
  });

  it('validates rules from a plan file', () => {
    assert.equal(invalidRule({ keepLast: 3, maxAgeDays: 0.5 }), undefined);
    assert.match(invalidRule({ keepLast: 1.5 }) ?? '', /whole number/);
    assert.match(invalidRule({ keepYearly: 1 }) ?? '', /unknown rule "keepYearly"/);
    assert.match(invalidRule({ maxTotalBytes: -1 }) ?? '', /≥ 1048576/);
    // Values that would forget every snapshot (a plan's "retention" is checked here too).
    for (const key of ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly', 'minKeep'])
      assert.match(invalidRule({ [key]: 0 }) ?? '', /whole number ≥ 1/, key);
    assert.match(invalidRule({ maxTotalBytes: 0 }) ?? '', /≥ 1048576/);
    assert.match(invalidRule({ maxTotalBytes: 500 }) ?? '', /≥ 1048576/);
    assert.match(invalidRule({ maxTotalBytes: 2 ** 20 - 1 }) ?? '', /≥ 1048576/);
    assert.match(invalidRule({ maxTotalBytes: 2 ** 20 + 0.5 }) ?? '', /whole number/);
    assert.match(invalidRule({ maxAgeDays: 0 }) ?? '', /> 0/);
    assert.match(invalidRule({ minAgeDays: -1 }) ?? '', /≥ 0/);
    assert.equal(
      invalidRule({
        keepLast: 1,
        keepDaily: 14,
        maxTotalBytes: 2 ** 20,
        minKeep: 1,
        minAgeDays: 0,
        maxAgeDays: 0.5,
      }),
      undefined,
    );
  });
});
