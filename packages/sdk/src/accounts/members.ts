import {
  type PracticeKey,
  type PracticeKeyGrant,
  base64urlToBytes,
  bytesToBase64url,
  createPracticeKeyGrant,
  generatePracticeKey,
  x25519PublicKeyFromBytes,
} from '@tresor/crypto';
import { TresorApiError } from '../api-error.js';
import { accounts } from '../contract/index.js';
import type { HttpClient } from '../http.js';
import { memberFingerprint } from './invites.js';
import type { UnlockedKeys } from './user-key-material.js';

/** What the member flows need of a signed-in primary user. */
export interface GranterContext {
  readonly token: string;
  readonly practiceId: string;
  readonly userId: string;
  readonly keys: UnlockedKeys;
}

export function listMembers(http: HttpClient, token: string): Promise<accounts.MembersReply> {
  return http.call('GET', '/api/v1/practice/members', { schema: accounts.MembersReply, token });
}

/** Refused locally, before anything is sent: the keys the server lists are not the ones confirmed. */
function keyMismatch(username: string): TresorApiError {
  return new TresorApiError(
    'grants.invalid',
    `The public keys the server lists for ${username} do not match the confirmed fingerprint; nothing was sent.`,
    0,
  );
}

/** Refused locally, before anything is sent: the server contradicts what this device knows. */
function serverContradicts(message: string): TresorApiError {
  return new TresorApiError('grants.invalid', `${message}; nothing was sent.`, 0);
}

function grantFor(
  granter: GranterContext,
  member: Pick<accounts.MemberView, 'userId' | 'encryptionPublicKey'>,
  pkVersion: number,
  practiceKey: PracticeKey,
): Promise<PracticeKeyGrant> {
  return createPracticeKeyGrant({
    practiceId: granter.practiceId,
    pkVersion,
    practiceKey,
    recipientUserId: member.userId,
    recipientEncryptionKey: x25519PublicKeyFromBytes(base64urlToBytes(member.encryptionPublicKey)),
    granterUserId: granter.userId,
    granterSigningKey: granter.keys.pairs.signing.privateKey,
  });
}

/**
 * The key hand-over, on the primary's device, after both screens showed the same fingerprint:
 * every practice-key version this device holds is sealed to the member's X25519 key and signed
 * (a grant the member already has is replaced, which also repairs a broken or forged one). The
 * fingerprint the user confirmed is recomputed from the keys the server lists right now; if they
 * differ (a swapped key), nothing is sent.
 */
export async function grantPracticeKey(
  http: HttpClient,
  granter: GranterContext,
  userId: string,
  confirmedFingerprint: string,
): Promise<{ pkVersions: number[] }> {
  const { members } = await listMembers(http, granter.token);
  const member = members.find((m) => m.userId === userId && m.status === 'active');
  if (member === undefined) throw new TresorApiError('users.not_found', 'No such active member.', 0);
  if ((await memberFingerprint(member)) !== confirmedFingerprint) throw keyMismatch(member.username);
  const granted: number[] = [];
  for (const [pkVersion, practiceKey] of [...granter.keys.practiceKeys].sort(([a], [b]) => a - b)) {
    const grant = await grantFor(granter, member, pkVersion, practiceKey);
    await http.call('POST', '/api/v1/practice/grants', {
      schema: accounts.GrantPracticeKeyReply,
      body: { grant },
      token: granter.token,
    });
    granted.push(pkVersion);
  }
  return { pkVersions: granted };
}

export interface RotationOptions {
  /**
   * Fingerprints (userId → fingerprint) this device confirmed at earlier hand-overs. When given,
   * every other recipient must be listed with a matching fingerprint, or nothing is sent: a server
   * that swapped a member's key cannot obtain the new practice key. Without it, the client seals
   * to the keys the server lists (own keys are always checked against this device's).
   */
  readonly trustedMembers?: ReadonlyMap<string, string>;
  /**
   * Users removed from the practice. A server that still lists one of them as active is lying
   * (e.g. colluding with them to obtain the new key): the rotation is refused, nothing is sent.
   */
  readonly removedMembers?: Iterable<string>;
}

export interface Rotation {
  readonly pkVersion: number;
  readonly practiceKey: PracticeKey;
  readonly recipients: readonly string[];
}

/**
 * A new practice-key version: generated here, granted to every active member who holds the
 * current version (sealed to their X25519 key, signed by this primary), stored by the server in
 * one step together with the version bump. Older versions stay readable through the old grants.
 * Refused (`grants.invalid`, nothing sent) if the server reports a version older than this
 * device's current one, or lists a member of `removedMembers` as active.
 */
export async function rotatePracticeKey(
  http: HttpClient,
  granter: GranterContext,
  options: RotationOptions = {},
): Promise<Rotation> {
  const { currentPkVersion, members } = await listMembers(http, granter.token);
  if (currentPkVersion < granter.keys.currentPkVersion) {
    throw serverContradicts(
      `The server reports practice-key version ${currentPkVersion}, older than version ${granter.keys.currentPkVersion} on this device`,
    );
  }
  const removed = new Set(options.removedMembers);
  const relisted = members.find((m) => m.status === 'active' && removed.has(m.userId));
  if (relisted !== undefined) {
    throw serverContradicts(`The server still lists the removed user ${relisted.username} as active`);
  }
  const recipients = members.filter((m) => m.status === 'active' && m.keyVersions.includes(currentPkVersion));
  const own = granter.keys.pairs;
  for (const member of recipients) {
    if (member.userId === granter.userId) {
      const same =
        member.encryptionPublicKey === bytesToBase64url(own.encryption.publicKey) &&
        member.signingPublicKey === bytesToBase64url(own.signing.publicKey);
      if (!same) throw keyMismatch(member.username);
    } else if (options.trustedMembers !== undefined) {
      const pinned = options.trustedMembers.get(member.userId);
      if (pinned === undefined || pinned !== (await memberFingerprint(member)))
        throw keyMismatch(member.username);
    }
  }
  const pkVersion = currentPkVersion + 1;
  const practiceKey = generatePracticeKey();
  const grants = await Promise.all(recipients.map((m) => grantFor(granter, m, pkVersion, practiceKey)));
  await http.call('POST', '/api/v1/practice/key-rotations', {
    schema: accounts.RotatePracticeKeyReply,
    body: { pkVersion, grants },
    token: granter.token,
  });
  return { pkVersion, practiceKey, recipients: recipients.map((m) => m.userId) };
}

/** The removal itself (no rotation): the server ends the user's access at once. */
export function deleteUser(
  http: HttpClient,
  token: string,
  userId: string,
): Promise<accounts.RemoveUserReply> {
  return http.call('DELETE', `/api/v1/users/${encodeURIComponent(userId)}`, {
    schema: accounts.RemoveUserReply,
    token,
  });
}

/**
 * Seals every practice-key version this device holds to this user again, signed by this user, so
 * that their own access no longer rests on a colleague's signature (before that colleague is
 * dropped from the trust list: their grants to this user would no longer open).
 */
export async function regrantToSelf(http: HttpClient, granter: GranterContext): Promise<number[]> {
  const self = {
    userId: granter.userId,
    encryptionPublicKey: bytesToBase64url(granter.keys.pairs.encryption.publicKey),
  };
  const granted: number[] = [];
  for (const [pkVersion, practiceKey] of [...granter.keys.practiceKeys].sort(([a], [b]) => a - b)) {
    await http.call('POST', '/api/v1/practice/grants', {
      schema: accounts.GrantPracticeKeyReply,
      body: { grant: await grantFor(granter, self, pkVersion, practiceKey) },
      token: granter.token,
    });
    granted.push(pkVersion);
  }
  return granted;
}

/**
 * Removes a user (flow 9): the server ends their sessions, revokes their devices and frees their
 * login name at once; then this device rotates the practice key so that data written from now on
 * is out of the removed user's reach. (What they could read before, they may have kept: removal
 * cannot take back knowledge, only future access.) The rotation runs even if the server says the
 * user never held a key: that claim is the server's word; and it never includes the removed user
 * (a server that still lists them as active is refused, see `rotatePracticeKey`). If the rotation
 * fails (e.g. a concurrent membership change), the removal stands; call `rotatePracticeKey` again,
 * naming the user in `removedMembers`. `AccountSession.removeUser` also drops the user from the
 * trust list and remembers them for later rotations.
 */
export async function removeUser(
  http: HttpClient,
  granter: GranterContext,
  userId: string,
  options: RotationOptions = {},
): Promise<{ removed: accounts.RemoveUserReply; rotation: Rotation }> {
  const removed = await deleteUser(http, granter.token, userId);
  const rotation = await rotatePracticeKey(http, granter, {
    ...options,
    removedMembers: [...(options.removedMembers ?? []), userId],
  });
  return { removed, rotation };
}
