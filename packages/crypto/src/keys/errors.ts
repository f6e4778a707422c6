/**
 * Thrown whenever a ciphertext cannot be opened: wrong key, wrong context, tampered or malformed
 * input. The message never says which, so callers cannot become a decryption oracle.
 */
export class DecryptionError extends Error {
  constructor() {
    super('decryption failed');
    this.name = 'DecryptionError';
  }
}

/** Why a practice key grant was refused before any decryption was attempted. */
export type GrantVerificationReason =
  'untrusted_granter' | 'bad_signature' | 'wrong_recipient' | 'wrong_practice' | 'malformed';

/** A practice key grant failed its checks (shape, practice, recipient, granter trust or signature). */
export class GrantVerificationError extends Error {
  readonly reason: GrantVerificationReason;

  constructor(reason: GrantVerificationReason) {
    super(`practice key grant rejected: ${reason}`);
    this.name = 'GrantVerificationError';
    this.reason = reason;
  }
}
