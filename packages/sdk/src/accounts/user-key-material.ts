import {
  type PracticeKey,
  type RecoveryCode,
  type UserKey,
  type UserKeyPairs,
  base64urlToBytes,
  bytesToBase64url,
  deriveRecoverySigningKeyPair,
  deriveRecoveryWrappingKey,
  deriveUserKeyWrappingKey,
  encodePrivateKeys,
  sealEnvelope,
  wrapKey,
} from '@tresor/crypto';
import type { accounts } from '../contract/index.js';

export const ENVELOPE_PURPOSE = {
  userKeyByPassword: 'uk.by-password',
  userKeyByRecovery: 'uk.by-recovery',
  privateKeys: 'user.private-keys',
  trustedGranters: 'user.trusted-granters',
} as const;

/** Everything a new user sends the server: wrapped keys and public keys, nothing readable. */
export async function buildNewUser(input: {
  practiceId: string;
  userId: string;
  username: string;
  registrationRecord: string;
  exportKey: string;
  userKey: UserKey;
  pairs: UserKeyPairs;
  recoveryCode: RecoveryCode;
}): Promise<accounts.NewUser> {
  const { practiceId, userId } = input;
  const context = (purpose: string) => ({ practiceId, owner: userId, purpose });
  const byPassword = await deriveUserKeyWrappingKey(base64urlToBytes(input.exportKey), userId);
  const byRecovery = await deriveRecoveryWrappingKey(input.recoveryCode, userId);
  const recoverySigning = await deriveRecoverySigningKeyPair(input.recoveryCode, userId);
  return {
    userId,
    username: input.username,
    registrationRecord: input.registrationRecord,
    userKeyByPassword: await wrapKey(
      byPassword,
      'uk-password',
      input.userKey,
      context(ENVELOPE_PURPOSE.userKeyByPassword),
    ),
    userKeyByRecovery: await wrapKey(
      byRecovery,
      'uk-recovery',
      input.userKey,
      context(ENVELOPE_PURPOSE.userKeyByRecovery),
    ),
    privateKeys: await sealEnvelope(
      input.userKey,
      'uk',
      encodePrivateKeys(input.pairs),
      context(ENVELOPE_PURPOSE.privateKeys),
    ),
    encryptionPublicKey: bytesToBase64url(input.pairs.encryption.publicKey),
    signingPublicKey: bytesToBase64url(input.pairs.signing.publicKey),
    recoveryPublicKey: bytesToBase64url(recoverySigning.publicKey),
  };
}

/** The unlocked keys of a signed-in user. Keep in memory only; drop on lock or logout. */
export interface UnlockedKeys {
  readonly userKey: UserKey;
  readonly pairs: UserKeyPairs;
  /** Practice keys by version, from the grants this client verified. */
  readonly practiceKeys: ReadonlyMap<number, PracticeKey>;
  readonly currentPkVersion: number;
  /** Colleagues whose grants this user accepts (user id → signing key, base64url). */
  readonly trustedGranters: ReadonlyMap<string, string>;
  /** Grants left closed because their granter is not trusted yet (confirm by fingerprint). */
  readonly untrustedGrants: readonly UntrustedGrant[];
}

export interface UntrustedGrant {
  readonly granterUserId: string;
  readonly pkVersions: readonly number[];
}
