import { keyVersionLocked } from '../client-errors.js';
import {
  DATA_KEY_PURPOSE,
  type Envelope,
  type PracticeKey,
  pkVersionOfKid,
  practiceKeyKid,
  unwrapKey,
  wrapKey,
} from '@tresor/crypto';
import type { UnlockedKeys } from './user-key-material.js';

/**
 * Re-wrapping per-record data keys after a practice-key rotation. A record's content is sealed
 * with its own data key; the data key is wrapped by one practice-key version (envelope `kid`
 * `pk.v<version>`, purpose `dk`, owner = record id; see `wrapDataKey` in @tresor/crypto). After a
 * rotation, old wraps stay readable (members keep their old grants), and clients move them to the
 * current version: lazily whenever they write a record (`rewrapDataKey`; the records client does
 * this on every write), and in one pass with `rewrapDataKeys`. The records module provides the
 * `DataKeySource`: `RecordsClient.dataKeySource()` lists every patient's wrapped data key
 * (`GET /api/v1/data-keys`) and replaces one with compare-and-swap
 * (`PUT /api/v1/patients/{id}/data-key`); `RecordsClient.rewrapAll()` runs the job over it.
 */

export { DATA_KEY_PURPOSE, pkVersionOfKid, practiceKeyKid };

/** One wrapped data key: the record it belongs to and its envelope. */
export interface WrappedDataKey {
  readonly owner: string;
  readonly wrapped: Envelope;
}

type PracticeKeys = Pick<UnlockedKeys, 'practiceKeys' | 'currentPkVersion'> &
  Partial<Pick<UnlockedKeys, 'untrustedGrants'>>;

function keyOf(keys: PracticeKeys, version: number): PracticeKey {
  const key = keys.practiceKeys.get(version);
  if (key === undefined) throw keyVersionLocked(keys, version);
  return key;
}

/**
 * The data key re-wrapped under the current practice-key version, or undefined when it already
 * is, or is wrapped by a newer version: a wrap never moves to an older version (whose key a
 * removed user may hold). Call it on every write of a record (lazy re-wrap).
 * @throws Error if this device lacks the old or the current version; DecryptionError if the wrap is bad.
 */
export async function rewrapDataKey(
  keys: PracticeKeys,
  practiceId: string,
  item: WrappedDataKey,
): Promise<Envelope | undefined> {
  const version = pkVersionOfKid(item.wrapped.kid);
  if (version === undefined) throw new Error(`not a practice-key wrap: ${item.wrapped.kid}`);
  if (version >= keys.currentPkVersion) return undefined;
  const context = { practiceId, owner: item.owner, purpose: DATA_KEY_PURPOSE };
  const dataKey = await unwrapKey(keyOf(keys, version), item.wrapped, context);
  try {
    const current = keys.currentPkVersion;
    return await wrapKey(keyOf(keys, current), practiceKeyKid(current), dataKey, context);
  } finally {
    dataKey.fill(0);
  }
}

/** Where the job finds wrapped data keys and writes re-wrapped ones (`RecordsClient.dataKeySource()`). */
export interface DataKeySource {
  list(): AsyncIterable<WrappedDataKey>;
  /** Stores `next` only if the record still holds `previous` (a concurrent write wins); true if stored. */
  replace(owner: string, previous: Envelope, next: Envelope): Promise<boolean>;
}

export interface RewrapReport {
  readonly rewrapped: number;
  readonly alreadyCurrent: number;
  /** Changed concurrently by another write (which re-wrapped it itself). */
  readonly skipped: number;
}

/** Walks every wrapped data key once and moves old wraps to the current practice-key version. */
export async function rewrapDataKeys(
  source: DataKeySource,
  keys: PracticeKeys,
  practiceId: string,
): Promise<RewrapReport> {
  let rewrapped = 0;
  let alreadyCurrent = 0;
  let skipped = 0;
  for await (const item of source.list()) {
    const next = await rewrapDataKey(keys, practiceId, item);
    if (next === undefined) alreadyCurrent++;
    else if (await source.replace(item.owner, item.wrapped, next)) rewrapped++;
    else skipped++;
  }
  return { rewrapped, alreadyCurrent, skipped };
}
