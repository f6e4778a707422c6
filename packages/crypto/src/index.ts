export type { Brand } from './brand.js';
export { sha256 } from './digest.js';
export {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  concatBytes,
  constantTimeEqual,
  hexToBytes,
  utf8ToBytes,
} from './encoding.js';
export { randomBytes } from './random.js';
export * from './audit/index.js';
export { deriveRecoverySigningKeyPair } from './keys/recovery-signing.js';
export {
  dataKeyFromBytes,
  ed25519PublicKeyFromBytes,
  generateDataKey,
  generatePracticeKey,
  generateUserKey,
  practiceKeyFromBytes,
  userKeyFromBytes,
  x25519PublicKeyFromBytes,
  type DataKey,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
  type PracticeKey,
  type RecoveryCode,
  type SymmetricKey,
  type UserKey,
  type WrappingKey,
  type X25519PrivateKey,
  type X25519PublicKey,
} from './keys/key-types.js';
export {
  DecryptionError,
  isEnvelope,
  openEnvelope,
  sealEnvelope,
  unwrapKey,
  wrapKey,
  type Envelope,
  type EnvelopeContext,
} from './keys/envelope.js';
export { deriveRecoveryWrappingKey, deriveSubkey, deriveUserKeyWrappingKey } from './keys/derive.js';
export { generateRecoveryCode, parseRecoveryCode, recoveryCodeBytes } from './keys/recovery-code.js';
export {
  decodePrivateKeys,
  encodePrivateKeys,
  generateUserKeyPairs,
  publicKeyFingerprint,
  signMessage,
  verifySignature,
  type UserKeyPairs,
} from './keys/user-key-pairs.js';
export { isSealedBox, openSealedBox, sealToPublicKey, type SealedBox } from './keys/sealed-box.js';
export {
  createPracticeKeyGrant,
  grantSigningBytes,
  GrantVerificationError,
  isPracticeKeyGrant,
  openPracticeKeyGrant,
  type GrantVerificationReason,
  type PracticeKeyGrant,
} from './keys/practice-key-grant.js';
export {
  deviceFingerprint,
  exportDevicePublicKey,
  generateDeviceKeyPair,
  importDevicePublicKey,
  MAX_DEVICE_CHALLENGE_LENGTH,
  MIN_DEVICE_CHALLENGE_LENGTH,
  signDeviceChallenge,
  verifyDeviceSignature,
  verifyDeviceSignatureWithKey,
} from './device/device-key.js';
export {
  exportDeviceKeyPairForStorage,
  importDeviceKeyPairFromStorage,
  isStoredDeviceKeyPair,
  type StoredDeviceJwk,
  type StoredDeviceKeyPair,
} from './device/device-key-storage.js';
export * from './records/index.js';
