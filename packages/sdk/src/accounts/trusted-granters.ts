import { type Envelope, type UserKey, openEnvelope, sealEnvelope } from '@tresor/crypto';
import { ENVELOPE_PURPOSE } from './user-key-material.js';

/**
 * The colleagues a user trusts to hand them practice keys (user id → Ed25519 signing key,
 * base64url), pinned from an invite link or confirmed by fingerprint. Kept on the server as an
 * envelope under the user key: any device of the user reads it, the server can neither read nor
 * change it (a swapped or altered envelope does not open).
 */
export type TrustedGranters = ReadonlyMap<string, string>;

const context = (practiceId: string, userId: string) => ({
  practiceId,
  owner: userId,
  purpose: ENVELOPE_PURPOSE.trustedGranters,
});

export async function sealTrustedGranters(
  userKey: UserKey,
  ids: { practiceId: string; userId: string },
  granters: TrustedGranters,
): Promise<Envelope> {
  const entries = [...granters].sort(([a], [b]) => a.localeCompare(b));
  const plaintext = new TextEncoder().encode(JSON.stringify(Object.fromEntries(entries)));
  return sealEnvelope(userKey, 'uk', plaintext, context(ids.practiceId, ids.userId));
}

/** @throws DecryptionError if the envelope was altered or belongs elsewhere. */
export async function openTrustedGranters(
  userKey: UserKey,
  ids: { practiceId: string; userId: string },
  envelope: Envelope,
): Promise<Map<string, string>> {
  const plaintext = await openEnvelope(userKey, envelope, context(ids.practiceId, ids.userId));
  const parsed: unknown = JSON.parse(new TextDecoder().decode(plaintext));
  const granters = new Map<string, string>();
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [id, key] of Object.entries(parsed)) if (typeof key === 'string') granters.set(id, key);
  }
  return granters;
}
