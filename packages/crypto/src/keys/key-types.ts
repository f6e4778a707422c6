import type { Brand } from '../brand.js';
import { randomBytes } from '../random.js';

/** Length in bytes of every symmetric key in the hierarchy (AES-256 / HKDF-SHA-256 output). */
export const SYMMETRIC_KEY_LENGTH = 32;

/** Length in bytes of X25519 and Ed25519 public and private keys. */
export const CURVE25519_KEY_LENGTH = 32;

/** The practice's root key (versioned); wraps the per-record data keys. 32 bytes. */
export type PracticeKey = Brand<Uint8Array, 'PracticeKey'>;

/** One user's key; wraps that user's private keys. 32 bytes. */
export type UserKey = Brand<Uint8Array, 'UserKey'>;

/** A per-record (per-blob) data key, wrapped by the practice key. 32 bytes. */
export type DataKey = Brand<Uint8Array, 'DataKey'>;

/** A key that only wraps a user key; derived from the OPAQUE export key or a recovery code. 32 bytes. */
export type WrappingKey = Brand<Uint8Array, 'WrappingKey'>;

/** Any key that can seal an {@link Envelope}. */
export type SymmetricKey = PracticeKey | UserKey | DataKey | WrappingKey;

/** X25519 public key (encryption to a user). 32 bytes. */
export type X25519PublicKey = Brand<Uint8Array, 'X25519PublicKey'>;

/** X25519 private key. 32 bytes. */
export type X25519PrivateKey = Brand<Uint8Array, 'X25519PrivateKey'>;

/** Ed25519 public key (verifies a user's signatures). 32 bytes. */
export type Ed25519PublicKey = Brand<Uint8Array, 'Ed25519PublicKey'>;

/** Ed25519 private key: the 32-byte RFC 8032 seed. */
export type Ed25519PrivateKey = Brand<Uint8Array, 'Ed25519PrivateKey'>;

/** A recovery code in canonical form: 32 Crockford base32 symbols in 8 groups of 4, e.g. `K7Q2-…`. */
export type RecoveryCode = Brand<string, 'RecoveryCode'>;

/** A fresh random practice key. */
export function generatePracticeKey(): PracticeKey {
  return randomBytes(SYMMETRIC_KEY_LENGTH) as PracticeKey;
}

/** A fresh random user key. */
export function generateUserKey(): UserKey {
  return randomBytes(SYMMETRIC_KEY_LENGTH) as UserKey;
}

/** A fresh random data key. */
export function generateDataKey(): DataKey {
  return randomBytes(SYMMETRIC_KEY_LENGTH) as DataKey;
}

function copyKeyBytes(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes`);
  }
  return bytes.slice();
}

/** Brands bytes (e.g. just unwrapped from an envelope) as a practice key; copies, checks the length. */
export function practiceKeyFromBytes(bytes: Uint8Array): PracticeKey {
  return copyKeyBytes(bytes, SYMMETRIC_KEY_LENGTH, 'a practice key') as PracticeKey;
}

/** Brands bytes as a user key; copies, checks the length. */
export function userKeyFromBytes(bytes: Uint8Array): UserKey {
  return copyKeyBytes(bytes, SYMMETRIC_KEY_LENGTH, 'a user key') as UserKey;
}

/** Brands bytes as a data key; copies, checks the length. */
export function dataKeyFromBytes(bytes: Uint8Array): DataKey {
  return copyKeyBytes(bytes, SYMMETRIC_KEY_LENGTH, 'a data key') as DataKey;
}

/** Brands bytes (e.g. a user's key as published by the server) as an X25519 public key; copies, checks the length. */
export function x25519PublicKeyFromBytes(bytes: Uint8Array): X25519PublicKey {
  return copyKeyBytes(bytes, CURVE25519_KEY_LENGTH, 'an X25519 public key') as X25519PublicKey;
}

/** Brands bytes as an Ed25519 public key; copies, checks the length (validity is checked when verifying). */
export function ed25519PublicKeyFromBytes(bytes: Uint8Array): Ed25519PublicKey {
  return copyKeyBytes(bytes, CURVE25519_KEY_LENGTH, 'an Ed25519 public key') as Ed25519PublicKey;
}
