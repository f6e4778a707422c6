import { DecryptionError } from './errors.js';
import { SYMMETRIC_KEY_LENGTH } from './key-types.js';

/**
 * HAZMAT, internal to @tresor/crypto (not exported from the package index): raw AES-256-GCM
 * through WebCrypto. Callers are responsible for unique nonces and for the AAD; use
 * `sealEnvelope` / `sealToPublicKey` instead.
 */

/** AES-GCM nonce length in bytes (96 bits, the only size WebCrypto implementations optimise for). */
export const AES_GCM_NONCE_LENGTH = 12;

/** AES-GCM authentication tag length in bytes; appended to the ciphertext. */
export const AES_GCM_TAG_LENGTH = 16;

async function importAesKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  if (!(key instanceof Uint8Array) || key.length !== SYMMETRIC_KEY_LENGTH) {
    throw new RangeError('AES-256-GCM needs a 32-byte key');
  }
  return globalThis.crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [usage]);
}

function gcmParams(nonce: Uint8Array, aad: Uint8Array): AesGcmParams {
  return {
    name: 'AES-GCM',
    iv: nonce as Uint8Array<ArrayBuffer>,
    additionalData: aad as Uint8Array<ArrayBuffer>,
    tagLength: AES_GCM_TAG_LENGTH * 8,
  };
}

/** Encrypts; returns ciphertext || tag. */
export async function aesGcmEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  if (nonce.length !== AES_GCM_NONCE_LENGTH) throw new RangeError('AES-GCM nonce must be 12 bytes');
  const cryptoKey = await importAesKey(key, 'encrypt');
  const ct = await globalThis.crypto.subtle.encrypt(
    gcmParams(nonce, aad),
    cryptoKey,
    plaintext as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(ct);
}

/** Decrypts ciphertext || tag; any failure becomes a {@link DecryptionError}. */
export async function aesGcmDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  const cryptoKey = await importAesKey(key, 'decrypt');
  if (nonce.length !== AES_GCM_NONCE_LENGTH || ciphertext.length < AES_GCM_TAG_LENGTH) {
    throw new DecryptionError();
  }
  try {
    const pt = await globalThis.crypto.subtle.decrypt(
      gcmParams(nonce, aad),
      cryptoKey,
      ciphertext as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(pt);
  } catch {
    throw new DecryptionError();
  }
}
