import { base64urlToBytes, bytesToBase64url, utf8ToBytes } from '../encoding.js';
import { fingerprintDigits } from '../keys/fingerprint.js';

/**
 * Per-device ECDSA P-256 keys through WebCrypto. A device proves possession of its key by
 * signing server challenges; the private key is non-extractable by default, so a browser can keep
 * the CryptoKey in IndexedDB without its bytes ever being readable by script.
 */

/** WebCrypto algorithm of device keys. */
export const DEVICE_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const PROOF_DOMAIN = utf8ToBytes('tresor/device-proof/v1');
const SIGNATURE_LENGTH = 64;
/** Challenges shorter than this are refused: they would make proofs replayable or guessable. */
export const MIN_DEVICE_CHALLENGE_LENGTH = 16;
/** Challenges longer than this are refused (a challenge is a nonce, not a document). */
export const MAX_DEVICE_CHALLENGE_LENGTH = 1024;

function isDeviceKey(key: unknown, type: KeyType): key is CryptoKey {
  if (typeof CryptoKey === 'undefined' || !(key instanceof CryptoKey) || key.type !== type) return false;
  const algorithm = key.algorithm as Partial<EcKeyAlgorithm>;
  return (
    algorithm.name === DEVICE_KEY_ALGORITHM.name && algorithm.namedCurve === DEVICE_KEY_ALGORITHM.namedCurve
  );
}

function isValidChallenge(challenge: unknown): challenge is Uint8Array {
  return (
    challenge instanceof Uint8Array &&
    challenge.length >= MIN_DEVICE_CHALLENGE_LENGTH &&
    challenge.length <= MAX_DEVICE_CHALLENGE_LENGTH
  );
}

function proofMessage(challenge: Uint8Array): Uint8Array<ArrayBuffer> {
  const message = new Uint8Array(PROOF_DOMAIN.length + challenge.length);
  message.set(PROOF_DOMAIN, 0);
  message.set(challenge, PROOF_DOMAIN.length);
  return message;
}

/** Imports a base64url SPKI P-256 public key for verification; throws on anything malformed. */
export async function importDevicePublicKey(publicKeySpki: string): Promise<CryptoKey> {
  const spki = base64urlToBytes(publicKeySpki);
  return globalThis.crypto.subtle.importKey(
    'spki',
    spki as Uint8Array<ArrayBuffer>,
    DEVICE_KEY_ALGORITHM,
    true,
    ['verify'],
  );
}

/**
 * A fresh ECDSA P-256 key pair. The private key is non-extractable unless
 * `options.extractable` is true (only for {@link exportDeviceKeyPairForStorage}, e.g. the Node CLI).
 * The public key is always exportable.
 */
export async function generateDeviceKeyPair(options?: { extractable?: boolean }): Promise<CryptoKeyPair> {
  return globalThis.crypto.subtle.generateKey(DEVICE_KEY_ALGORITHM, options?.extractable ?? false, [
    'sign',
    'verify',
  ]);
}

/**
 * The device's public key as base64url SubjectPublicKeyInfo (DER, uncompressed point): what the
 * device registers with the server.
 * @throws TypeError if `publicKey` is not an ECDSA P-256 public key.
 */
export async function exportDevicePublicKey(publicKey: CryptoKey): Promise<string> {
  if (!isDeviceKey(publicKey, 'public')) throw new TypeError('not an ECDSA P-256 public key');
  const spki = await globalThis.crypto.subtle.exportKey('spki', publicKey);
  return bytesToBase64url(new Uint8Array(spki));
}

/**
 * Proof of possession: ECDSA P-256 / SHA-256 over utf8('tresor/device-proof/v1') || challenge.
 * Returns the IEEE P1363 form r || s (64 bytes), which is what WebCrypto produces.
 * @throws TypeError if `privateKey` is not an ECDSA P-256 private key.
 * @throws RangeError unless the challenge is 16..1024 bytes.
 */
export async function signDeviceChallenge(privateKey: CryptoKey, challenge: Uint8Array): Promise<Uint8Array> {
  if (!isDeviceKey(privateKey, 'private')) throw new TypeError('not an ECDSA P-256 private key');
  if (!isValidChallenge(challenge)) throw new RangeError('device challenge must be 16..1024 bytes');
  const signature = await globalThis.crypto.subtle.sign(SIGN_ALGORITHM, privateKey, proofMessage(challenge));
  return new Uint8Array(signature);
}

/**
 * Verifies a proof made by {@link signDeviceChallenge} against a registered base64url SPKI key.
 * Never throws: a malformed key, challenge or signature gives `false`.
 */
export async function verifyDeviceSignature(
  publicKeySpki: string,
  challenge: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (typeof publicKeySpki !== 'string') return false;
  let publicKey: CryptoKey;
  try {
    publicKey = await importDevicePublicKey(publicKeySpki);
  } catch {
    return false;
  }
  return verifyDeviceSignatureWithKey(publicKey, challenge, signature);
}

/**
 * Like {@link verifyDeviceSignature}, with a key already imported by `importDevicePublicKey`
 * (a verifier that sees the same devices often keeps them imported). Never throws.
 */
export async function verifyDeviceSignatureWithKey(
  publicKey: CryptoKey,
  challenge: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    if (
      !isDeviceKey(publicKey, 'public') ||
      !isValidChallenge(challenge) ||
      !(signature instanceof Uint8Array) ||
      signature.length !== SIGNATURE_LENGTH
    ) {
      return false;
    }
    return await globalThis.crypto.subtle.verify(
      SIGN_ALGORITHM,
      publicKey,
      signature as Uint8Array<ArrayBuffer>,
      proofMessage(challenge),
    );
  } catch {
    return false;
  }
}

/**
 * Human-comparable fingerprint of a device key, same format as `publicKeyFingerprint`:
 * SHA-256(utf8('tresor/device-fingerprint/v1') || SPKI bytes), first 30 bytes as 6 groups of
 * 5 digits. The SPKI is first re-encoded by WebCrypto (uncompressed point), so equivalent
 * encodings of one key give one fingerprint.
 * @throws TypeError / DOMException if `publicKeySpki` is not a P-256 SPKI key.
 */
export async function deviceFingerprint(publicKeySpki: string): Promise<string> {
  const publicKey = await importDevicePublicKey(publicKeySpki);
  const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', publicKey));
  return fingerprintDigits('tresor/device-fingerprint/v1', spki);
}
