import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { fingerprintDigits } from './fingerprint.js';
import {
  CURVE25519_KEY_LENGTH,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
  type X25519PrivateKey,
  type X25519PublicKey,
} from './key-types.js';

/** Ed25519 signature length in bytes. */
const SIGNATURE_LENGTH = 64;

/** A user's long-term key pairs: X25519 to receive sealed keys, Ed25519 to sign grants. */
export interface UserKeyPairs {
  readonly encryption: { readonly publicKey: X25519PublicKey; readonly privateKey: X25519PrivateKey };
  readonly signing: { readonly publicKey: Ed25519PublicKey; readonly privateKey: Ed25519PrivateKey };
}

function pairsFromPrivateKeys(xPrivate: Uint8Array, edPrivate: Uint8Array): UserKeyPairs {
  return {
    encryption: {
      publicKey: x25519.getPublicKey(xPrivate) as X25519PublicKey,
      privateKey: xPrivate as X25519PrivateKey,
    },
    signing: {
      publicKey: ed25519.getPublicKey(edPrivate) as Ed25519PublicKey,
      privateKey: edPrivate as Ed25519PrivateKey,
    },
  };
}

/** Fresh X25519 and Ed25519 key pairs from the platform CSPRNG (through @noble/curves). */
export function generateUserKeyPairs(): UserKeyPairs {
  return pairsFromPrivateKeys(x25519.utils.randomSecretKey(), ed25519.utils.randomSecretKey());
}

/**
 * The private halves as 64 bytes: X25519 private key || Ed25519 seed. Seal the result in an
 * envelope under the user key (purpose e.g. `'user.private-keys'`) and wipe it afterwards.
 */
export function encodePrivateKeys(pairs: UserKeyPairs): Uint8Array {
  const xPrivate = pairs.encryption.privateKey;
  const edPrivate = pairs.signing.privateKey;
  if (xPrivate.length !== CURVE25519_KEY_LENGTH || edPrivate.length !== CURVE25519_KEY_LENGTH) {
    throw new RangeError('encodePrivateKeys: private keys must be 32 bytes each');
  }
  const out = new Uint8Array(2 * CURVE25519_KEY_LENGTH);
  out.set(xPrivate, 0);
  out.set(edPrivate, CURVE25519_KEY_LENGTH);
  return out;
}

/**
 * Inverse of {@link encodePrivateKeys}; recomputes both public keys. Copies its input.
 * @throws RangeError if `bytes` is not 64 bytes long.
 */
export function decodePrivateKeys(bytes: Uint8Array): UserKeyPairs {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 2 * CURVE25519_KEY_LENGTH) {
    throw new RangeError('decodePrivateKeys: expected 64 bytes');
  }
  return pairsFromPrivateKeys(bytes.slice(0, CURVE25519_KEY_LENGTH), bytes.slice(CURVE25519_KEY_LENGTH));
}

/** Ed25519 (RFC 8032, deterministic) signature of `message`: 64 bytes. */
export function signMessage(privateKey: Ed25519PrivateKey, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, privateKey);
}

/**
 * Verifies an Ed25519 signature with the strict RFC 8032 / FIPS 186-5 rules (no ZIP-215
 * leniency: non-canonical encodings are refused, so signatures are not malleable).
 * Never throws: malformed keys, signatures or arguments give `false`.
 */
export function verifySignature(
  publicKey: Ed25519PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (
      !(publicKey instanceof Uint8Array) ||
      !(message instanceof Uint8Array) ||
      !(signature instanceof Uint8Array) ||
      publicKey.length !== CURVE25519_KEY_LENGTH ||
      signature.length !== SIGNATURE_LENGTH
    ) {
      return false;
    }
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Fingerprint for users to compare out of band (e.g. on screen or by phone) before trusting a
 * colleague's keys: digest = SHA-256(utf8('tresor/fingerprint/v1') || X25519 public || Ed25519 public);
 * its first 30 bytes become 6 groups of 5 decimal digits separated by spaces (each group = the
 * big-endian uint40 of 5 bytes, mod 100000, zero-padded). Example: `"04721 88310 …"`.
 */
export async function publicKeyFingerprint(
  encryption: X25519PublicKey,
  signing: Ed25519PublicKey,
): Promise<string> {
  if (encryption.length !== CURVE25519_KEY_LENGTH || signing.length !== CURVE25519_KEY_LENGTH) {
    throw new RangeError('publicKeyFingerprint: public keys must be 32 bytes each');
  }
  return fingerprintDigits('tresor/fingerprint/v1', encryption, signing);
}
