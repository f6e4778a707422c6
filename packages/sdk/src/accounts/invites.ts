import {
  base64urlToBytes,
  ed25519PublicKeyFromBytes,
  generateRecoveryCode,
  generateUserKey,
  generateUserKeyPairs,
  publicKeyFingerprint,
  type RecoveryCode,
  x25519PublicKeyFromBytes,
} from '@tresor/crypto';
import { TresorApiError } from '../api-error.js';
import { accounts } from '../contract/index.js';
import type { HttpClient } from '../http.js';
import type { DeviceKeyStore } from './device-key-store.js';
import { ensureDeviceIdentity } from './device-identity.js';
import { type KeyStretching, opaqueClient } from './opaque-client.js';
import { buildNewUser } from './user-key-material.js';

/**
 * What an invite link carries, all in the URL fragment (after `#`), which browsers never send to
 * a server. Besides the one-time token it pins the inviting primary user's Ed25519 signing key:
 * the invitee's client will accept the practice key only in a grant signed with that key, so a
 * server that swaps keys or forges grants is caught.
 */
export interface InviteLink {
  readonly practiceId: string;
  readonly inviteId: string;
  readonly token: string;
  readonly granterUserId: string;
  /** base64url Ed25519 public key of the inviting primary user, from their own device. */
  readonly granterSigningKey: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function notAnInvite(): TresorApiError {
  return new TresorApiError('invites.invalid', 'This is not a valid Tresor invitation link.', 0);
}

/** `base` (e.g. `https://praxis.example/invite`) plus the invite in the fragment. */
export function buildInviteLink(base: string, invite: InviteLink): string {
  const fragment = new URLSearchParams({
    v: '1',
    p: invite.practiceId,
    i: invite.inviteId,
    t: invite.token,
    g: invite.granterUserId,
    k: invite.granterSigningKey,
  });
  return `${base.split('#')[0] ?? ''}#${fragment.toString()}`;
}

/** Reads an invite link (or just its fragment); throws TresorApiError `invites.invalid` if malformed. */
export function parseInviteLink(link: string): InviteLink {
  const fragment = link.includes('#') ? link.slice(link.indexOf('#') + 1) : link;
  const params = new URLSearchParams(fragment);
  const get = (name: string, pattern?: RegExp): string => {
    const value = params.get(name);
    if (value === null || (pattern !== undefined && !pattern.test(value))) throw notAnInvite();
    return value;
  };
  if (get('v') !== '1') throw notAnInvite();
  const granterSigningKey = get('k');
  try {
    ed25519PublicKeyFromBytes(base64urlToBytes(granterSigningKey));
  } catch {
    throw notAnInvite();
  }
  return {
    practiceId: get('p', UUID),
    inviteId: get('i', UUID),
    token: get('t', TOKEN),
    granterUserId: get('g', UUID),
    granterSigningKey,
  };
}

/**
 * The fingerprint to compare on both screens before a key hand-over: the primary's screen shows
 * it for the invitee's public keys as the server lists them, the invitee's screen for the keys
 * their own device made. Equal strings mean the server did not swap the keys.
 */
export function memberFingerprint(member: {
  readonly encryptionPublicKey: string;
  readonly signingPublicKey: string;
}): Promise<string> {
  return publicKeyFingerprint(
    x25519PublicKeyFromBytes(base64urlToBytes(member.encryptionPublicKey)),
    ed25519PublicKeyFromBytes(base64urlToBytes(member.signingPublicKey)),
  );
}

export interface AcceptInviteInput {
  /** The invite link as received (or just its fragment). */
  readonly link: string;
  readonly username: string;
  readonly password: string;
  readonly deviceName: string;
  readonly devices: DeviceKeyStore;
  /** OPAQUE password stretching; leave unset (Argon2id, recommended) except in load tests. */
  readonly keyStretching?: KeyStretching;
}

export interface AcceptedInvite {
  readonly practiceId: string;
  readonly userId: string;
  readonly deviceId: string;
  /** Shown once; the only way back in when the password is lost. Never sent to the server. */
  readonly recoveryCode: RecoveryCode;
  /** The fingerprint of this user's new keys, to compare with the one on the primary's screen. */
  readonly fingerprint: string;
  /** The inviting primary's pinned signing key: pass (and keep) it as `login`'s `trustedGranters`. */
  readonly trustedGranters: ReadonlyMap<string, string>;
}

/**
 * Joins a practice with an invite link: password registration (OPAQUE), user key, key pairs and
 * recovery code are made on this device; the server receives only the registration record,
 * wrapped keys and public keys. The practice key follows once a primary user handed it over.
 */
export async function acceptInvite(http: HttpClient, input: AcceptInviteInput): Promise<AcceptedInvite> {
  const invite = parseInviteLink(input.link);
  const opaque = await opaqueClient();
  const username = input.username.trim().toLowerCase();
  const { clientRegistrationState, registrationRequest } = opaque.startRegistration({
    password: input.password,
  });
  const { registrationResponse } = await http.call('POST', '/api/v1/auth/registration/start', {
    schema: accounts.RegistrationStartReply,
    body: { username, registrationRequest },
  });
  const { registrationRecord, exportKey } = opaque.finishRegistration({
    clientRegistrationState,
    registrationResponse,
    password: input.password,
    ...(input.keyStretching && { keyStretching: input.keyStretching }),
  });
  const userId = globalThis.crypto.randomUUID();
  const pairs = generateUserKeyPairs();
  const recoveryCode = generateRecoveryCode();
  const user = await buildNewUser({
    practiceId: invite.practiceId,
    userId,
    username,
    registrationRecord,
    exportKey,
    userKey: generateUserKey(),
    pairs,
    recoveryCode,
  });
  const { identity } = await ensureDeviceIdentity(input.devices, input.deviceName);
  const reply = await http.call('POST', '/api/v1/invites/accept', {
    schema: accounts.AcceptInviteReply,
    body: {
      practiceId: invite.practiceId,
      inviteId: invite.inviteId,
      token: invite.token,
      user,
      device: { deviceId: identity.deviceId, name: identity.name, publicKey: identity.publicKey },
    },
  });
  return {
    practiceId: reply.practiceId,
    userId,
    deviceId: identity.deviceId,
    recoveryCode,
    fingerprint: await publicKeyFingerprint(pairs.encryption.publicKey, pairs.signing.publicKey),
    trustedGranters: new Map([[invite.granterUserId, invite.granterSigningKey]]),
  };
}
