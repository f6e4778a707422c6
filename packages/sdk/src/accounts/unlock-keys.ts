import {
  type Ed25519PublicKey,
  type PracticeKey,
  base64urlToBytes,
  decodePrivateKeys,
  deriveUserKeyWrappingKey,
  openEnvelope,
  openPracticeKeyGrant,
  unwrapKey,
  userKeyFromBytes,
} from '@tresor/crypto';
import type { accounts } from '../contract/index.js';
import { ENVELOPE_PURPOSE, type UnlockedKeys } from './user-key-material.js';

/**
 * Opens the user key with the OPAQUE export key, the private keys with the user key, and every
 * practice-key grant whose signature comes from a trusted granter. The server's word is never
 * taken for a key: a grant signed by anyone else is rejected.
 */
export async function unlockKeys(input: {
  practiceId: string;
  userId: string;
  exportKey: string;
  keys: accounts.KeyMaterial;
  /** Signing keys (base64url) of other users this client trusts to grant practice keys, e.g. pinned from an invite link. */
  trustedGranters?: ReadonlyMap<string, string>;
}): Promise<UnlockedKeys> {
  const { practiceId, userId } = input;
  const context = (purpose: string) => ({ practiceId, owner: userId, purpose });
  const wrapping = await deriveUserKeyWrappingKey(base64urlToBytes(input.exportKey), userId);
  const userKey = userKeyFromBytes(
    await unwrapKey(wrapping, input.keys.userKeyByPassword, context(ENVELOPE_PURPOSE.userKeyByPassword)),
  );
  const pairs = decodePrivateKeys(
    await openEnvelope(userKey, input.keys.privateKeys, context(ENVELOPE_PURPOSE.privateKeys)),
  );
  const trusted = (granterId: string): Ed25519PublicKey | undefined => {
    if (granterId === userId) return pairs.signing.publicKey;
    const pinned = input.trustedGranters?.get(granterId);
    return pinned === undefined ? undefined : (base64urlToBytes(pinned) as Ed25519PublicKey);
  };
  const practiceKeys = new Map<number, PracticeKey>();
  for (const grant of input.keys.grants) {
    const key = await openPracticeKeyGrant(grant, {
      practiceId,
      recipientUserId: userId,
      recipientEncryptionPrivateKey: pairs.encryption.privateKey,
      trustedGranterKey: trusted,
    });
    practiceKeys.set(grant.pkVersion, key);
  }
  return { userKey, pairs, practiceKeys, currentPkVersion: input.keys.currentPkVersion };
}
