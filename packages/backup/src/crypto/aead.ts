import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey, SlotKey } from './keys.js';

export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
/** Bytes a sealed message adds to its plaintext: nonce and tag. */
export const SEAL_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

/** Authentication failed: wrong key, wrong context or altered bytes. Deliberately says nothing more. */
export class DecryptionFailed extends Error {
  override readonly name = 'DecryptionFailed';
  constructor() {
    super('decryption failed');
  }
}

type AeadKey = EncryptionKey | SlotKey;

/**
 * AES-256-GCM with a fresh random 96-bit nonce: `nonce ‖ ciphertext ‖ tag`. Random nonces are
 * safe for up to 2^32 messages per key (NIST SP 800-38D), far beyond any practice repository.
 */
export function aeadSeal(key: AeadKey, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const out = new Uint8Array(NONCE_LENGTH + plaintext.length + TAG_LENGTH);
  out.set(nonce, 0);
  const body = cipher.update(plaintext);
  out.set(body, NONCE_LENGTH);
  const final = cipher.final();
  out.set(final, NONCE_LENGTH + body.length);
  out.set(cipher.getAuthTag(), NONCE_LENGTH + body.length + final.length);
  return out;
}

/** Opens what {@link aeadSeal} made. @throws DecryptionFailed on any mismatch. */
export function aeadOpen(key: AeadKey, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  if (sealed.length < SEAL_OVERHEAD) throw new DecryptionFailed();
  const nonce = sealed.subarray(0, NONCE_LENGTH);
  const tag = sealed.subarray(sealed.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    const body = decipher.update(sealed.subarray(NONCE_LENGTH, sealed.length - TAG_LENGTH));
    const final = decipher.final();
    if (final.length === 0) return body;
    return Buffer.concat([body, final]);
  } catch {
    throw new DecryptionFailed();
  }
}
