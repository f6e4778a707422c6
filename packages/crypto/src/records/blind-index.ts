import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Brand } from '../brand.js';
import { utf8ToBytes } from '../encoding.js';
import { deriveSubkey } from '../keys/derive.js';
import type { PracticeKey } from '../keys/key-types.js';
import { normalizeGermanName } from './german-names.js';

/**
 * Blind indexes: the few values the server must be able to look up without reading them.
 * Each is HMAC-SHA-256 under a key derived from the practice key per field and practice-key
 * version, truncated to 16 bits, so one value maps to one of 65,536 buckets and every lookup
 * returns a bucket of candidates (false hits are dropped by the client after decrypting).
 * See docs/SECURITY.md for what the server learns from them.
 */

/** The indexed fields: the insurance number (KVNR) and the normalised surname with the date of birth. */
export type BlindIndexField = 'kvnr' | 'name_dob';
export const BLIND_INDEX_FIELDS: readonly BlindIndexField[] = ['kvnr', 'name_dob'];

/** Number of bits kept of the HMAC: 16, i.e. values 0..65535. */
export const BLIND_INDEX_BITS = 16;

/** The HMAC key of one field and practice-key version. 32 bytes. */
export type BlindIndexKey = Brand<Uint8Array, 'BlindIndexKey'>;

/**
 * HKDF(ikm = practice key, salt = 'tresor/subkey/v1', info = 'blind-index/<field>/pk.v<version>').
 * Different fields and versions give independent keys.
 */
export async function deriveBlindIndexKey(
  practiceKey: PracticeKey,
  pkVersion: number,
  field: BlindIndexField,
): Promise<BlindIndexKey> {
  if (!Number.isSafeInteger(pkVersion) || pkVersion < 1) throw new RangeError('pkVersion must be >= 1');
  if (!BLIND_INDEX_FIELDS.includes(field)) throw new TypeError('unknown blind-index field');
  return (await deriveSubkey(practiceKey, `blind-index/${field}/pk.v${pkVersion}`)) as BlindIndexKey;
}

/** The first 16 bits of HMAC-SHA-256(key, utf8(input)), as an integer 0..65535. */
export function blindIndexValue(key: BlindIndexKey, input: string): number {
  const mac = hmac(sha256, key, utf8ToBytes(input));
  return (mac[0]! << 8) | mac[1]!;
}

const KVNR = /^[A-Z][0-9]{9}$/;

/**
 * A KVNR (Krankenversichertennummer, 10 characters: one letter and nine digits) in canonical
 * form (upper case, without spaces), or undefined if it does not have that shape.
 */
export function normalizeKvnr(kvnr: string): string | undefined {
  const canonical = kvnr.replace(/\s+/g, '').toUpperCase();
  return KVNR.test(canonical) ? canonical : undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The input of the `name_dob` index: normalised surname, a separator, the ISO date of birth. */
export function nameDobIndexInput(familyName: string, birthDate: string): string {
  if (!ISO_DATE.test(birthDate)) throw new RangeError('birthDate must be YYYY-MM-DD');
  return `${normalizeGermanName(familyName)}|${birthDate}`;
}

/** Blind-index values of one patient under one practice-key version. */
export interface BlindIndexValues {
  readonly pkVersion: number;
  /** Undefined when the patient has no (valid) KVNR. */
  readonly kvnr: number | undefined;
  readonly nameDob: number;
}

/** Keys of both fields for one practice-key version, derived once and reused. */
export class BlindIndexer {
  private constructor(
    readonly pkVersion: number,
    private readonly kvnrKey: BlindIndexKey,
    private readonly nameDobKey: BlindIndexKey,
  ) {}

  static async create(practiceKey: PracticeKey, pkVersion: number): Promise<BlindIndexer> {
    return new BlindIndexer(
      pkVersion,
      await deriveBlindIndexKey(practiceKey, pkVersion, 'kvnr'),
      await deriveBlindIndexKey(practiceKey, pkVersion, 'name_dob'),
    );
  }

  /** Index value of a KVNR, or undefined if it is not a valid KVNR. */
  kvnr(kvnr: string): number | undefined {
    const canonical = normalizeKvnr(kvnr);
    return canonical === undefined ? undefined : blindIndexValue(this.kvnrKey, canonical);
  }

  nameDob(familyName: string, birthDate: string): number {
    return blindIndexValue(this.nameDobKey, nameDobIndexInput(familyName, birthDate));
  }

  values(patient: { familyName: string; birthDate: string; kvnr?: string | undefined }): BlindIndexValues {
    return {
      pkVersion: this.pkVersion,
      kvnr: patient.kvnr === undefined ? undefined : this.kvnr(patient.kvnr),
      nameDob: this.nameDob(patient.familyName, patient.birthDate),
    };
  }
}
