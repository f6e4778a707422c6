import {
  type Ed25519PublicKey,
  GrantVerificationError,
  type PracticeKey,
  type UserKey,
  type UserKeyPairs,
  base64urlToBytes,
  decodePrivateKeys,
  deriveUserKeyWrappingKey,
  openEnvelope,
  openPracticeKeyGrant,
  unwrapKey,
  userKeyFromBytes,
} from '@tresor/crypto';
import type { accounts } from '../contract/index.js';
import { openTrustedGranters } from './trusted-granters.js';
import { ENVELOPE_PURPOSE, type UnlockedKeys, type UntrustedGrant } from './user-key-material.js';

interface Ids {
  practiceId: string;
  userId: string;
}

/**
 * Opens the user key with the OPAQUE export key, then everything else (see `openKeyMaterial`).
 */
export async function unlockKeys(
  input: Ids & {
    exportKey: string;
    keys: accounts.KeyMaterial;
    /** Signing keys (base64url) of colleagues this device has pinned, e.g. from an invite link. */
    trustedGranters?: ReadonlyMap<string, string>;
    /** The highest version this device opened in an earlier session (see `KeyVersionMemory`). */
    knownPkVersion?: number;
  },
): Promise<UnlockedKeys> {
  const wrapping = await deriveUserKeyWrappingKey(base64urlToBytes(input.exportKey), input.userId);
  const userKey = userKeyFromBytes(
    await unwrapKey(wrapping, input.keys.userKeyByPassword, {
      practiceId: input.practiceId,
      owner: input.userId,
      purpose: ENVELOPE_PURPOSE.userKeyByPassword,
    }),
  );
  return openKeyMaterial({ ...input, userKey });
}

/**
 * Opens the private keys with the user key, the user's trusted-granter list, and every
 * practice-key grant whose signature comes from a trusted granter (the user, a colleague on the
 * list, or one pinned on this device). The server's word is never taken for a key: a grant that
 * names a trusted granter but does not verify is refused (GrantVerificationError); a grant from
 * a granter not trusted yet stays closed and is listed in `untrustedGrants`.
 *
 * Nor is the server's word taken for the current version: `currentPkVersion` is never below the
 * highest version opened here (nor, on a refresh, below the session's; nor below `knownPkVersion`,
 * what this device opened in an earlier session). A server that reports an
 * older version, e.g. colluding with a removed user who holds it, is ignored, so nothing is written
 * or re-wrapped under the older key; a newer one is kept, so writes fail until its key is opened.
 */
export async function openKeyMaterial(
  input: Ids & {
    userKey: UserKey;
    keys: accounts.KeyMaterial;
    trustedGranters?: ReadonlyMap<string, string>;
    pairs?: UserKeyPairs;
    /** What this session opened before (a refresh): kept, whatever the server now withholds. */
    held?: Pick<UnlockedKeys, 'practiceKeys' | 'currentPkVersion'>;
    /** The highest version this device opened in an earlier session (see `KeyVersionMemory`). */
    knownPkVersion?: number;
  },
): Promise<UnlockedKeys> {
  const { practiceId, userId, userKey } = input;
  const pairs =
    input.pairs ??
    decodePrivateKeys(
      await openEnvelope(userKey, input.keys.privateKeys, {
        practiceId,
        owner: userId,
        purpose: ENVELOPE_PURPOSE.privateKeys,
      }),
    );
  const stored =
    input.keys.trustedGranters === undefined
      ? new Map<string, string>()
      : await openTrustedGranters(userKey, { practiceId, userId }, input.keys.trustedGranters);
  const trustedGranters = new Map([...(input.trustedGranters ?? []), ...stored]);
  const trusted = (granterId: string): Ed25519PublicKey | undefined => {
    if (granterId === userId) return pairs.signing.publicKey;
    const pinned = trustedGranters.get(granterId);
    return pinned === undefined ? undefined : (base64urlToBytes(pinned) as Ed25519PublicKey);
  };
  const practiceKeys = new Map<number, PracticeKey>(input.held?.practiceKeys);
  const untrusted = new Map<string, number[]>();
  for (const grant of input.keys.grants) {
    try {
      const key = await openPracticeKeyGrant(grant, {
        practiceId,
        recipientUserId: userId,
        recipientEncryptionPrivateKey: pairs.encryption.privateKey,
        trustedGranterKey: trusted,
      });
      if (!practiceKeys.has(grant.pkVersion)) practiceKeys.set(grant.pkVersion, key);
    } catch (error) {
      if (!(error instanceof GrantVerificationError && error.reason === 'untrusted_granter')) throw error;
      untrusted.set(grant.granterUserId, [...(untrusted.get(grant.granterUserId) ?? []), grant.pkVersion]);
    }
  }
  const untrustedGrants: UntrustedGrant[] = [...untrusted].map(([granterUserId, pkVersions]) => ({
    granterUserId,
    pkVersions,
  }));
  return {
    userKey,
    pairs,
    practiceKeys,
    currentPkVersion: Math.max(
      input.keys.currentPkVersion,
      input.held?.currentPkVersion ?? 0,
      input.knownPkVersion ?? 0,
      ...practiceKeys.keys(),
    ),
    trustedGranters,
    untrustedGrants,
  };
}

/**
 * The list to store when this device holds pins (e.g. from an invite link) that the user's
 * stored list lacks: then every other device of the user learns them. Undefined when nothing is new.
 */
export async function trustedGrantersToStore(
  ids: Ids,
  userKey: UserKey,
  stored: accounts.KeyMaterial['trustedGranters'],
  pins: ReadonlyMap<string, string> | undefined,
): Promise<Map<string, string> | undefined> {
  if (pins === undefined || pins.size === 0) return undefined;
  const known =
    stored === undefined ? new Map<string, string>() : await openTrustedGranters(userKey, ids, stored);
  if ([...pins].every(([id, key]) => known.get(id) === key)) return undefined;
  return new Map([...known, ...pins]);
}
