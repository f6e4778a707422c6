import { bytesToBase64url, utf8ToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH, aesGcmDecrypt, aesGcmEncrypt } from './aes-gcm.js';
import { contextFields, type EnvelopeContext } from './context.js';
import { DecryptionError } from './errors.js';
import { SYMMETRIC_KEY_LENGTH, type SymmetricKey } from './key-types.js';
import { decodeBase64urlField, isBoundedString, readExactRecord } from './shape.js';

export type { EnvelopeContext } from './context.js';
export { DecryptionError } from './errors.js';

/**
 * A self-describing, versioned AES-256-GCM ciphertext. JSON-safe.
 *
 * - `v`: format version (1). New versions get new code paths; old ones stay decryptable.
 * - `alg`: `'A256GCM'`.
 * - `kid`: which key sealed it (1..128 characters), e.g. `'pk.v3'`; bound into the AAD.
 * - `nonce`: 12 random bytes, base64url.
 * - `ct`: ciphertext || 16-byte tag, base64url.
 *
 * AAD = utf8(JSON.stringify(['tresor/envelope/v1', v, alg, kid, practiceId, owner, purpose])).
 */
export interface Envelope {
  readonly v: 1;
  readonly alg: 'A256GCM';
  readonly kid: string;
  readonly nonce: string;
  readonly ct: string;
}

const ENVELOPE_KEYS = ['v', 'alg', 'kid', 'nonce', 'ct'] as const;
const MAX_KID_LENGTH = 128;

interface ParsedEnvelope {
  readonly kid: string;
  readonly nonce: Uint8Array;
  readonly ct: Uint8Array;
}

function parseEnvelope(value: unknown): ParsedEnvelope | undefined {
  const record = readExactRecord(value, ENVELOPE_KEYS);
  if (record === undefined) return undefined;
  const { v, alg, kid } = record;
  if (v !== 1 || alg !== 'A256GCM' || !isBoundedString(kid, MAX_KID_LENGTH)) return undefined;
  const nonce = decodeBase64urlField(record.nonce);
  const ct = decodeBase64urlField(record.ct);
  if (nonce?.length !== AES_GCM_NONCE_LENGTH || ct === undefined || ct.length < AES_GCM_TAG_LENGTH) {
    return undefined;
  }
  return { kid, nonce, ct };
}

function envelopeAad(kid: string, context: readonly [string, string, string]): Uint8Array {
  return utf8ToBytes(JSON.stringify(['tresor/envelope/v1', 1, 'A256GCM', kid, ...context]));
}

/**
 * Strict shape check for untrusted input: exactly the keys `v, alg, kid, nonce, ct` as data
 * properties, `v === 1`, `alg === 'A256GCM'`, `kid` of 1..128 characters, `nonce` decoding to
 * 12 bytes and `ct` to at least 16 bytes (canonical base64url without padding).
 */
export function isEnvelope(value: unknown): value is Envelope {
  return parseEnvelope(value) !== undefined;
}

/**
 * Encrypts `plaintext` under `key` with a fresh random nonce, binding `kid` and `context`.
 * @throws RangeError if the key is not 32 bytes or `kid` is not 1..128 characters.
 * @throws TypeError if a context field is empty or not a string.
 */
export async function sealEnvelope(
  key: SymmetricKey,
  kid: string,
  plaintext: Uint8Array,
  context: EnvelopeContext,
): Promise<Envelope> {
  if (!isBoundedString(kid, MAX_KID_LENGTH)) throw new RangeError('envelope kid must be 1..128 characters');
  const aad = envelopeAad(kid, contextFields(context));
  const nonce = randomBytes(AES_GCM_NONCE_LENGTH);
  const ct = await aesGcmEncrypt(key, nonce, plaintext, aad);
  return Object.freeze({
    v: 1,
    alg: 'A256GCM',
    kid,
    nonce: bytesToBase64url(nonce),
    ct: bytesToBase64url(ct),
  } as const);
}

/**
 * Decrypts an envelope sealed under `key` for exactly this `context`.
 * @throws DecryptionError on a malformed envelope, wrong key, wrong context or any tampering;
 *   the error never says which.
 */
export async function openEnvelope(
  key: SymmetricKey,
  envelope: Envelope,
  context: EnvelopeContext,
): Promise<Uint8Array> {
  const aadContext = contextFields(context);
  const parsed = parseEnvelope(envelope);
  if (parsed === undefined) throw new DecryptionError();
  return aesGcmDecrypt(key, parsed.nonce, parsed.ct, envelopeAad(parsed.kid, aadContext));
}

/**
 * Seals one 32-byte key under another (e.g. a user key under a wrapping key, a data key under the
 * practice key). Same format as {@link sealEnvelope}.
 * @throws RangeError if `key` is not 32 bytes.
 */
export async function wrapKey(
  wrappingKey: SymmetricKey,
  kid: string,
  key: Uint8Array,
  context: EnvelopeContext,
): Promise<Envelope> {
  if (!(key instanceof Uint8Array) || key.length !== SYMMETRIC_KEY_LENGTH) {
    throw new RangeError('wrapKey: the wrapped key must be 32 bytes');
  }
  return sealEnvelope(wrappingKey, kid, key, context);
}

/**
 * Opens an envelope made by {@link wrapKey}. Brand the result with `userKeyFromBytes`,
 * `practiceKeyFromBytes` or `dataKeyFromBytes`.
 * @throws DecryptionError as {@link openEnvelope}, and if the plaintext is not 32 bytes.
 */
export async function unwrapKey(
  wrappingKey: SymmetricKey,
  envelope: Envelope,
  context: EnvelopeContext,
): Promise<Uint8Array> {
  const key = await openEnvelope(wrappingKey, envelope, context);
  if (key.length !== SYMMETRIC_KEY_LENGTH) {
    key.fill(0);
    throw new DecryptionError();
  }
  return key;
}
