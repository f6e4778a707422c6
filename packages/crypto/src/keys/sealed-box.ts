import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToBase64url, utf8ToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH, aesGcmDecrypt, aesGcmEncrypt } from './aes-gcm.js';
import { contextFields, type EnvelopeContext } from './context.js';
import { DecryptionError } from './errors.js';
import { hkdfSha256 } from './hkdf.js';
import {
  CURVE25519_KEY_LENGTH,
  SYMMETRIC_KEY_LENGTH,
  type X25519PrivateKey,
  type X25519PublicKey,
} from './key-types.js';
import { decodeBase64urlField, readExactRecord } from './shape.js';

/**
 * Public-key encryption to one recipient's X25519 key (ECIES-style, anonymous sender: pair it with
 * a signature when the sender matters, as practice key grants do).
 *
 * - `epk`: ephemeral X25519 public key (32 bytes, base64url), fresh per box.
 * - `nonce`: 12 random bytes, base64url.
 * - `ct`: AES-256-GCM ciphertext || tag, base64url.
 *
 * key = HKDF-SHA-256(ikm = X25519(ephemeral, recipient), salt = epk || recipient public key,
 * info = utf8('tresor/sealed-box/v1'), 32 bytes);
 * AAD = utf8(JSON.stringify(['tresor/sealed-box/v1', v, alg, epk, practiceId, owner, purpose])).
 */
export interface SealedBox {
  readonly v: 1;
  readonly alg: 'X25519-HKDF-A256GCM';
  readonly epk: string;
  readonly nonce: string;
  readonly ct: string;
}

const ALG = 'X25519-HKDF-A256GCM';
const INFO = 'tresor/sealed-box/v1';
const SEALED_BOX_KEYS = ['v', 'alg', 'epk', 'nonce', 'ct'] as const;

interface ParsedSealedBox {
  readonly epk: string;
  readonly epkBytes: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ct: Uint8Array;
}

function parseSealedBox(value: unknown): ParsedSealedBox | undefined {
  const record = readExactRecord(value, SEALED_BOX_KEYS);
  if (record?.v !== 1 || record.alg !== ALG || typeof record.epk !== 'string') return undefined;
  const epkBytes = decodeBase64urlField(record.epk);
  const nonce = decodeBase64urlField(record.nonce);
  const ct = decodeBase64urlField(record.ct);
  if (
    epkBytes?.length !== CURVE25519_KEY_LENGTH ||
    nonce?.length !== AES_GCM_NONCE_LENGTH ||
    ct === undefined ||
    ct.length < AES_GCM_TAG_LENGTH
  ) {
    return undefined;
  }
  return { epk: record.epk, epkBytes, nonce, ct };
}

function sealedBoxAad(epk: string, context: readonly [string, string, string]): Uint8Array {
  return utf8ToBytes(JSON.stringify([INFO, 1, ALG, epk, ...context]));
}

async function boxKey(shared: Uint8Array, epk: Uint8Array, recipient: Uint8Array): Promise<Uint8Array> {
  const salt = new Uint8Array(2 * CURVE25519_KEY_LENGTH);
  salt.set(epk, 0);
  salt.set(recipient, CURVE25519_KEY_LENGTH);
  try {
    return await hkdfSha256(shared, salt, utf8ToBytes(INFO), SYMMETRIC_KEY_LENGTH);
  } finally {
    shared.fill(0);
  }
}

/**
 * Strict shape check: exactly `v, alg, epk, nonce, ct` as data properties, `v === 1`,
 * `alg === 'X25519-HKDF-A256GCM'`, `epk` decoding to 32 bytes, `nonce` to 12, `ct` to at least 16.
 */
export function isSealedBox(value: unknown): value is SealedBox {
  return parseSealedBox(value) !== undefined;
}

/**
 * Encrypts `plaintext` so only the holder of the private key for `recipient` can open it, and
 * only under the same `context`.
 * @throws TypeError if `recipient` is not a valid X25519 public key (wrong length or low order)
 *   or a context field is empty.
 */
export async function sealToPublicKey(
  recipient: X25519PublicKey,
  plaintext: Uint8Array,
  context: EnvelopeContext,
): Promise<SealedBox> {
  const aadContext = contextFields(context);
  if (!(recipient instanceof Uint8Array) || recipient.length !== CURVE25519_KEY_LENGTH) {
    throw new TypeError('sealToPublicKey: the recipient key must be 32 bytes');
  }
  const ephemeral = x25519.keygen();
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ephemeral.secretKey, recipient);
  } catch {
    throw new TypeError('sealToPublicKey: invalid recipient public key');
  } finally {
    ephemeral.secretKey.fill(0);
  }
  const key = await boxKey(shared, ephemeral.publicKey, recipient);
  const epk = bytesToBase64url(ephemeral.publicKey);
  const nonce = randomBytes(AES_GCM_NONCE_LENGTH);
  try {
    const ct = await aesGcmEncrypt(key, nonce, plaintext, sealedBoxAad(epk, aadContext));
    return Object.freeze({ v: 1, alg: ALG, epk, nonce: bytesToBase64url(nonce), ct: bytesToBase64url(ct) });
  } finally {
    key.fill(0);
  }
}

/**
 * Opens a sealed box addressed to the public key of `privateKey` under exactly this `context`.
 * @throws DecryptionError on a malformed box, wrong key, wrong context or tampering (never says which).
 */
export async function openSealedBox(
  privateKey: X25519PrivateKey,
  sealed: SealedBox,
  context: EnvelopeContext,
): Promise<Uint8Array> {
  const aadContext = contextFields(context);
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== CURVE25519_KEY_LENGTH) {
    throw new RangeError('openSealedBox: the private key must be 32 bytes');
  }
  const parsed = parseSealedBox(sealed);
  if (parsed === undefined) throw new DecryptionError();
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(privateKey, parsed.epkBytes);
  } catch {
    // Low-order ephemeral keys are refused by @noble/curves.
    throw new DecryptionError();
  }
  const key = await boxKey(shared, parsed.epkBytes, x25519.getPublicKey(privateKey));
  try {
    return await aesGcmDecrypt(key, parsed.nonce, parsed.ct, sealedBoxAad(parsed.epk, aadContext));
  } finally {
    key.fill(0);
  }
}
