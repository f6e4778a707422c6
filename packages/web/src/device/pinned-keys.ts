import type { AuditVerifyOptions } from '@tresor/sdk';
import { localDatabase, stores } from './local-database';

type StringMap = Readonly<Record<string, string>>;

/** Granters (user id → signing key) pinned for `username` from their invite link. */
export async function loadTrustedGranters(username: string): Promise<ReadonlyMap<string, string>> {
  const stored = await localDatabase.get<StringMap>(stores.trustedGranters, normalise(username));
  return new Map(Object.entries(stored ?? {}));
}

export async function saveTrustedGranters(
  username: string,
  granters: ReadonlyMap<string, string>,
): Promise<void> {
  const existing = await loadTrustedGranters(username);
  await localDatabase.put(
    stores.trustedGranters,
    normalise(username),
    Object.fromEntries([...existing, ...granters]),
  );
}

/** Members (user id → fingerprint) whose fingerprint this device confirmed at a hand-over. */
export async function loadConfirmedMembers(practiceId: string): Promise<ReadonlyMap<string, string>> {
  const stored = await localDatabase.get<StringMap>(stores.confirmedMembers, practiceId);
  return new Map(Object.entries(stored ?? {}));
}

export async function saveConfirmedMember(
  practiceId: string,
  userId: string,
  fingerprint: string,
): Promise<void> {
  const existing = await loadConfirmedMembers(practiceId);
  await localDatabase.put(stores.confirmedMembers, practiceId, {
    ...Object.fromEntries(existing),
    [userId]: fingerprint,
  });
}

/**
 * This device stops trusting member `userId` (removed from the practice): their confirmed
 * fingerprint goes, so no later rotation is pinned to (and sealed for) their key, and so does
 * their signing key pinned for `username` from an invite link, so it is not stored back into the
 * trust list at the next login.
 */
export async function forgetMember(practiceId: string, username: string, userId: string): Promise<void> {
  const confirmed = await loadConfirmedMembers(practiceId);
  if (confirmed.has(userId)) {
    await localDatabase.put(stores.confirmedMembers, practiceId, withoutKey(confirmed, userId));
  }
  const pinned = await loadTrustedGranters(username);
  if (pinned.has(userId)) {
    await localDatabase.put(stores.trustedGranters, normalise(username), withoutKey(pinned, userId));
  }
}

function withoutKey(map: ReadonlyMap<string, string>, key: string): StringMap {
  return Object.fromEntries([...map].filter(([id]) => id !== key));
}

export type RememberedAudit = Required<Pick<AuditVerifyOptions, 'remembered' | 'pinnedServerKey'>>;

/** The audit checkpoint and server key accepted at the last successful verification. */
export function loadRememberedAudit(practiceId: string): Promise<RememberedAudit | undefined> {
  return localDatabase.get<RememberedAudit>(stores.auditCheckpoints, practiceId);
}

export function saveRememberedAudit(practiceId: string, remembered: RememberedAudit): Promise<void> {
  return localDatabase.put(stores.auditCheckpoints, practiceId, remembered);
}

function normalise(username: string): string {
  return username.trim().toLowerCase();
}
