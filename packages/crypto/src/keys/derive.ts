import { utf8ToBytes } from '../encoding.js';
import { hkdfSha256 } from './hkdf.js';
import { SYMMETRIC_KEY_LENGTH, type PracticeKey, type RecoveryCode, type WrappingKey } from './key-types.js';
import { recoveryCodeBytes } from './recovery-code.js';

/**
 * Key derivations of the hierarchy, all HKDF-SHA-256 (RFC 5869) with a versioned, purpose-specific
 * salt. The inputs are already high-entropy (OPAQUE export key, 160-bit recovery code, practice
 * key), so a fast KDF is right here; password stretching happens inside OPAQUE.
 */

/** Smallest accepted OPAQUE export key (OPAQUE-3DH with SHA-256 gives 32 bytes, with SHA-512 64). */
const MIN_EXPORT_KEY_LENGTH = 32;

function requireNonEmpty(value: string, name: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

/**
 * The key that wraps a user's {@link UserKey} for password login:
 * HKDF(ikm = OPAQUE export key, salt = utf8('tresor/uk-wrap/v1'), info = utf8(userId), 32 bytes).
 * @throws RangeError if the export key is shorter than 32 bytes.
 */
export async function deriveUserKeyWrappingKey(exportKey: Uint8Array, userId: string): Promise<WrappingKey> {
  if (!(exportKey instanceof Uint8Array) || exportKey.length < MIN_EXPORT_KEY_LENGTH) {
    throw new RangeError('deriveUserKeyWrappingKey: the OPAQUE export key must be at least 32 bytes');
  }
  const info = utf8ToBytes(requireNonEmpty(userId, 'userId'));
  const key = await hkdfSha256(exportKey, utf8ToBytes('tresor/uk-wrap/v1'), info, SYMMETRIC_KEY_LENGTH);
  return key as WrappingKey;
}

/**
 * The key that wraps a user's {@link UserKey} for account recovery:
 * HKDF(ikm = the code's 20 decoded bytes, salt = utf8('tresor/recovery-wrap/v1'), info = utf8(userId), 32 bytes).
 * @throws TypeError if `code` is not a valid recovery code.
 */
export async function deriveRecoveryWrappingKey(code: RecoveryCode, userId: string): Promise<WrappingKey> {
  const info = utf8ToBytes(requireNonEmpty(userId, 'userId'));
  const ikm = recoveryCodeBytes(code);
  try {
    const key = await hkdfSha256(ikm, utf8ToBytes('tresor/recovery-wrap/v1'), info, SYMMETRIC_KEY_LENGTH);
    return key as WrappingKey;
  } finally {
    ikm.fill(0);
  }
}

/**
 * A 32-byte subkey of the practice key for one job, e.g. the blind-index key of one field:
 * HKDF(ikm = practice key, salt = utf8('tresor/subkey/v1'), info = utf8(label), 32 bytes).
 * Different labels give independent keys.
 */
export async function deriveSubkey(key: PracticeKey, label: string): Promise<Uint8Array> {
  if (!(key instanceof Uint8Array) || key.length !== SYMMETRIC_KEY_LENGTH) {
    throw new RangeError('deriveSubkey: the practice key must be 32 bytes');
  }
  const info = utf8ToBytes(requireNonEmpty(label, 'label'));
  return hkdfSha256(key, utf8ToBytes('tresor/subkey/v1'), info, SYMMETRIC_KEY_LENGTH);
}
