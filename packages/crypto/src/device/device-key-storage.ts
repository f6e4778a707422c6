import { randomBytes } from '../random.js';
import { decodeBase64urlField, readExactRecord } from '../keys/shape.js';
import {
  DEVICE_KEY_ALGORITHM,
  exportDevicePublicKey,
  signDeviceChallenge,
  verifyDeviceSignature,
} from './device-key.js';

/**
 * Serialising an extractable device key pair for environments without IndexedDB (the Node CLI and
 * SDK keep it in a file with owner-only permissions). Browsers keep the non-extractable CryptoKey
 * in IndexedDB instead and never call this.
 */

/** The private key as a minimal JWK (RFC 7518 §6.2): coordinates and scalar, 32 bytes each, base64url. */
export interface StoredDeviceJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly d: string;
}

/** JSON-safe, versioned form of a device key pair. Contains the private key: protect it like one. */
export interface StoredDeviceKeyPair {
  readonly v: 1;
  readonly alg: 'ECDSA-P256';
  readonly jwk: StoredDeviceJwk;
}

const STORED_KEYS = ['v', 'alg', 'jwk'] as const;
const JWK_KEYS = ['kty', 'crv', 'x', 'y', 'd'] as const;
const COORDINATE_LENGTH = 32;

function parseStored(value: unknown): StoredDeviceKeyPair | undefined {
  const stored = readExactRecord(value, STORED_KEYS);
  if (stored?.v !== 1 || stored.alg !== 'ECDSA-P256') return undefined;
  const jwk = readExactRecord(stored.jwk, JWK_KEYS);
  if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256') return undefined;
  const { x, y, d } = jwk;
  for (const field of [x, y, d]) {
    if (decodeBase64urlField(field)?.length !== COORDINATE_LENGTH) return undefined;
  }
  return {
    v: 1,
    alg: 'ECDSA-P256',
    jwk: { kty: 'EC', crv: 'P-256', x: x as string, y: y as string, d: d as string },
  };
}

/** Strict shape check of a stored device key pair (does not check that the key is on the curve). */
export function isStoredDeviceKeyPair(value: unknown): value is StoredDeviceKeyPair {
  return parseStored(value) !== undefined;
}

/**
 * Exports an extractable device key pair (from `generateDeviceKeyPair({ extractable: true })`).
 * @throws TypeError if the private key is not extractable, not ECDSA P-256, or does not match the public key.
 */
export async function exportDeviceKeyPairForStorage(keyPair: CryptoKeyPair): Promise<StoredDeviceKeyPair> {
  const { privateKey, publicKey } = keyPair;
  if (!privateKey.extractable) {
    throw new TypeError('device private key is not extractable; it cannot be stored outside WebCrypto');
  }
  const subtle = globalThis.crypto.subtle;
  const [privateJwk, publicJwk] = await Promise.all([
    subtle.exportKey('jwk', privateKey),
    subtle.exportKey('jwk', publicKey),
  ]);
  const stored = parseStored({
    v: 1,
    alg: 'ECDSA-P256',
    jwk: { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y, d: privateJwk.d },
  });
  if (stored === undefined) throw new TypeError('not an ECDSA P-256 device key pair');
  if (publicJwk.x !== stored.jwk.x || publicJwk.y !== stored.jwk.y) {
    throw new TypeError('device private and public keys do not match');
  }
  return stored;
}

/**
 * Imports what {@link exportDeviceKeyPairForStorage} produced, and proves the pair consistent by
 * signing and verifying a random challenge. The private key is non-extractable unless
 * `options.extractable` is true.
 * @throws TypeError if `stored` is malformed or the keys do not form a valid pair.
 */
export async function importDeviceKeyPairFromStorage(
  stored: unknown,
  options?: { extractable?: boolean },
): Promise<CryptoKeyPair> {
  const parsed = parseStored(stored);
  if (parsed === undefined) throw new TypeError('invalid stored device key pair');
  const { kty, crv, x, y, d } = parsed.jwk;
  const subtle = globalThis.crypto.subtle;
  let keyPair: CryptoKeyPair;
  try {
    const [privateKey, publicKey] = await Promise.all([
      subtle.importKey('jwk', { kty, crv, x, y, d }, DEVICE_KEY_ALGORITHM, options?.extractable ?? false, [
        'sign',
      ]),
      subtle.importKey('jwk', { kty, crv, x, y }, DEVICE_KEY_ALGORITHM, true, ['verify']),
    ]);
    keyPair = { privateKey, publicKey };
  } catch {
    throw new TypeError('invalid stored device key pair');
  }
  const challenge = randomBytes(32);
  const signature = await signDeviceChallenge(keyPair.privateKey, challenge);
  const publicKeySpki = await exportDevicePublicKey(keyPair.publicKey);
  const consistent = await verifyDeviceSignature(publicKeySpki, challenge, signature);
  if (!consistent) throw new TypeError('stored device private key does not match its public key');
  return keyPair;
}
