import type { BlobId } from '../crypto/blob-id.js';
import { type RetentionRules, hasKeepRule } from './rules.js';

/** One snapshot as the policy sees it: when, and which blobs (trees and data) it needs. */
export interface SnapshotUsage {
  readonly id: string;
  readonly time: Date;
  readonly blobs: readonly BlobId[];
}

export type ForgetReason = 'max-age' | 'max-total-size' | 'not-kept';
export type KeepReason =
  'keep-last' | 'keep-daily' | 'keep-weekly' | 'keep-monthly' | 'min-keep' | 'min-age' | 'no-rule-applies';

export interface Decision {
  readonly id: string;
  readonly time: Date;
  readonly forget: boolean;
  /** Why it goes (when `forget`), or why it stays. */
  readonly reasons: readonly (ForgetReason | KeepReason)[];
  /**
   * For a forgotten snapshot: the stored bytes of the blobs that no remaining snapshot needs once
   * it is gone, counted in the order of deciding (first those forgotten by the keep and age rules,
   * oldest first, then those forgotten for size, oldest first), so the numbers add up to the total
   * freed. A blob shared with a snapshot that stays frees nothing.
   */
  readonly freedBytes: number;
}

export interface PolicyResult {
  /** Newest first. */
  readonly decisions: readonly Decision[];
  /** Stored bytes of the blobs the snapshots need now / after forgetting (what prune leaves). */
  readonly liveBytesBefore: number;
  readonly liveBytesAfter: number;
  /** Set when `maxTotalBytes` cannot be met because the protected snapshots alone need more. */
  readonly sizeLimitUnmet: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

function isoWeek(time: Date): string {
  const date = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${date.getUTCFullYear()}-W${week}`;
}

const BUCKETS: readonly {
  rule: 'keepDaily' | 'keepWeekly' | 'keepMonthly';
  reason: KeepReason;
  key: (t: Date) => string;
}[] = [
  { rule: 'keepDaily', reason: 'keep-daily', key: (t) => t.toISOString().slice(0, 10) },
  { rule: 'keepWeekly', reason: 'keep-weekly', key: isoWeek },
  { rule: 'keepMonthly', reason: 'keep-monthly', key: (t) => t.toISOString().slice(0, 7) },
];

/**
 * Decides which snapshots to forget (docs/BACKUP_PLAN.md, "Retention"), in this order:
 * 1. exceptions: the newest `minKeep` and all younger than `minAgeDays` are protected;
 * 2. keep rules (if any is given): a snapshot selected by none of them is forgotten (`not-kept`);
 * 3. age limit: older than `maxAgeDays` is forgotten (`max-age`), even if a keep rule selected it;
 * 4. size limit: while the live data of the remaining snapshots exceeds `maxTotalBytes`, the
 *    oldest remaining unprotected snapshot is forgotten (`max-total-size`).
 * Protected snapshots are never forgotten. `blobSize` gives a blob's stored (packed) size.
 */
export function applyRetention(
  snapshots: readonly SnapshotUsage[],
  rules: RetentionRules,
  blobSize: (id: BlobId) => number,
  now: Date,
): PolicyResult {
  const newestFirst = [...snapshots].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || b.id.localeCompare(a.id),
  );
  const keep = new Map<string, KeepReason[]>(newestFirst.map((s) => [s.id, []]));
  const forget = new Map<string, ForgetReason[]>();
  const protectedIds = new Set<string>();

  newestFirst.forEach((snapshot, i) => {
    if (rules.minKeep !== undefined && i < rules.minKeep) {
      protectedIds.add(snapshot.id);
      keep.get(snapshot.id)!.push('min-keep');
    }
    if (
      rules.minAgeDays !== undefined &&
      now.getTime() - snapshot.time.getTime() < rules.minAgeDays * DAY_MS
    ) {
      protectedIds.add(snapshot.id);
      keep.get(snapshot.id)!.push('min-age');
    }
  });
  const mark = (id: string, reason: ForgetReason): void => {
    if (protectedIds.has(id)) return;
    forget.set(id, [...(forget.get(id) ?? []), reason]);
  };

  if (hasKeepRule(rules)) {
    newestFirst.forEach((snapshot, i) => {
      if (rules.keepLast !== undefined && i < rules.keepLast) keep.get(snapshot.id)!.push('keep-last');
    });
    for (const bucket of BUCKETS) {
      const limit = rules[bucket.rule];
      if (limit === undefined) continue;
      const seen = new Set<string>();
      for (const snapshot of newestFirst) {
        const key = bucket.key(snapshot.time);
        if (seen.has(key)) continue;
        if (seen.size >= limit) break;
        seen.add(key);
        keep.get(snapshot.id)!.push(bucket.reason);
      }
    }
    for (const snapshot of newestFirst)
      if (keep.get(snapshot.id)!.length === 0) mark(snapshot.id, 'not-kept');
  }
  if (rules.maxAgeDays !== undefined) {
    for (const snapshot of newestFirst) {
      if (now.getTime() - snapshot.time.getTime() > rules.maxAgeDays * DAY_MS) mark(snapshot.id, 'max-age');
    }
  }

  // Reference counts: how many snapshots need each blob. A blob counts once per snapshot.
  const refs = new Map<BlobId, number>();
  for (const snapshot of newestFirst)
    for (const blob of new Set(snapshot.blobs)) refs.set(blob, (refs.get(blob) ?? 0) + 1);
  let live = 0;
  for (const blob of refs.keys()) live += blobSize(blob);
  const liveBytesBefore = live;
  const freed = new Map<string, number>();
  const release = (snapshot: SnapshotUsage): void => {
    let bytes = 0;
    for (const blob of new Set(snapshot.blobs)) {
      const left = refs.get(blob)! - 1;
      refs.set(blob, left);
      if (left === 0) bytes += blobSize(blob);
    }
    live -= bytes;
    freed.set(snapshot.id, bytes);
  };
  const oldestFirst = [...newestFirst].reverse();
  for (const snapshot of oldestFirst) if (forget.has(snapshot.id)) release(snapshot);

  let sizeLimitUnmet = false;
  if (rules.maxTotalBytes !== undefined) {
    for (const snapshot of oldestFirst) {
      if (live <= rules.maxTotalBytes) break;
      if (forget.has(snapshot.id) || protectedIds.has(snapshot.id)) continue;
      mark(snapshot.id, 'max-total-size');
      release(snapshot);
    }
    sizeLimitUnmet = live > rules.maxTotalBytes;
  }

  const decisions = newestFirst.map((snapshot): Decision => {
    const gone = forget.get(snapshot.id);
    const kept = keep.get(snapshot.id)!;
    return {
      id: snapshot.id,
      time: snapshot.time,
      forget: gone !== undefined,
      reasons: gone ?? (kept.length > 0 ? kept : ['no-rule-applies']),
      freedBytes: freed.get(snapshot.id) ?? 0,
    };
  });
  return { decisions, liveBytesBefore, liveBytesAfter: live, sizeLimitUnmet };
}
