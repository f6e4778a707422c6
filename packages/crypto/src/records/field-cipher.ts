import { bytesToUtf8, utf8ToBytes } from '../encoding.js';
import { DecryptionError, type Envelope, openEnvelope, sealEnvelope } from '../keys/envelope.js';
import type { DataKey } from '../keys/key-types.js';
import type { RecordContext } from './data-key.js';

/**
 * Encryption of one field of a record (master data of one version, one clinical entry, a
 * document's name and type) under the record's data key. The envelope's context is
 * `{practiceId, owner: recordId, purpose: 'field:<field>:v<version>'}`, so the AAD binds practice,
 * record, field and version: the server cannot swap two versions, two entries or two records.
 */

/** The envelope kid of everything sealed directly with a record's data key. */
export const DATA_KEY_KID = 'dk';

export interface FieldContext extends RecordContext {
  /** What is sealed, e.g. `'master'`, `'entry/<entryId>'`, `'document/<documentId>'`. */
  readonly field: string;
  /** The version of the field (master data version; 1 for fields written once). */
  readonly version: number;
}

const FIELD = /^[a-z][a-z0-9_-]*(\/[0-9a-zA-Z-]{1,64})?$/;

function context(field: FieldContext) {
  if (!FIELD.test(field.field)) throw new TypeError('field name must be lowercase, optionally "/<id>"');
  if (!Number.isSafeInteger(field.version) || field.version < 1) {
    throw new RangeError('field version must be an integer >= 1');
  }
  return {
    practiceId: field.practiceId,
    owner: field.recordId,
    purpose: `field:${field.field}:v${field.version}`,
  };
}

/** Seals a JSON value for exactly this practice, record, field and version. */
export function sealField(dataKey: DataKey, field: FieldContext, value: unknown): Promise<Envelope> {
  return sealEnvelope(dataKey, DATA_KEY_KID, utf8ToBytes(JSON.stringify(value)), context(field));
}

/**
 * Opens a field sealed by {@link sealField} and parses its JSON.
 * @throws DecryptionError on a wrong key or context, tampering, or content that is not JSON.
 */
export async function openField(dataKey: DataKey, envelope: Envelope, field: FieldContext): Promise<unknown> {
  const bytes = await openEnvelope(dataKey, envelope, context(field));
  try {
    return JSON.parse(bytesToUtf8(bytes)) as unknown;
  } catch {
    throw new DecryptionError();
  } finally {
    bytes.fill(0);
  }
}
