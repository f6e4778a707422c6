import { type Envelope, unwrapKey, wrapKey } from '../keys/envelope.js';
import { type DataKey, type PracticeKey, dataKeyFromBytes } from '../keys/key-types.js';

/**
 * Per-record data keys. Every patient record has its own random 256-bit data key, wrapped by one
 * practice-key version. The wrap is an {@link Envelope} with `kid` `pk.v<version>` and the context
 * `{practiceId, owner: recordId, purpose: 'dk'}`, so its AAD binds practice, record, purpose and
 * key version: the server cannot move a wrapped key to another record or pretend another version.
 */

/** Envelope purpose of a wrapped data key; the envelope's owner is the record id. */
export const DATA_KEY_PURPOSE = 'dk';

/** The `kid` of an envelope wrapped by practice-key version `pkVersion`. */
export function practiceKeyKid(pkVersion: number): string {
  if (!Number.isSafeInteger(pkVersion) || pkVersion < 1) throw new RangeError('pkVersion must be >= 1');
  return `pk.v${pkVersion}`;
}

/** The practice-key version of a `pk.v<n>` kid, or undefined for any other kid. */
export function pkVersionOfKid(kid: string): number | undefined {
  const match = /^pk\.v([1-9][0-9]{0,8})$/.exec(kid);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Where a data key belongs: the practice and the record (patient) id. */
export interface RecordContext {
  readonly practiceId: string;
  readonly recordId: string;
}

function dataKeyContext(record: RecordContext) {
  return { practiceId: record.practiceId, owner: record.recordId, purpose: DATA_KEY_PURPOSE };
}

/** Wraps a record's data key under practice-key version `pkVersion`. */
export function wrapDataKey(
  practiceKey: PracticeKey,
  pkVersion: number,
  dataKey: DataKey,
  record: RecordContext,
): Promise<Envelope> {
  return wrapKey(practiceKey, practiceKeyKid(pkVersion), dataKey, dataKeyContext(record));
}

/**
 * Opens a wrapped data key with the practice key of the version its kid names.
 * @throws DecryptionError on a wrong key, record, practice or any tampering.
 */
export async function unwrapDataKey(
  practiceKey: PracticeKey,
  wrapped: Envelope,
  record: RecordContext,
): Promise<DataKey> {
  const bytes = await unwrapKey(practiceKey, wrapped, dataKeyContext(record));
  try {
    return dataKeyFromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
