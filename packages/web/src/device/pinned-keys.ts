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
export function forgetMember(practiceId: string, username: string, userId: string): Promise<void> {
  return forgetMembers(practiceId, username, new Set([userId]));
}

/**
 * This device forgets every member the member list reports as removed, as `forgetMember` does
 * (removed by a colleague on another device: the server saying so can only make this device trust
 * less). The SDK drops them from the user's trust list at the same time (`listMembers` with the
 * session), so neither list brings them back.
 */
export function forgetRemovedMembers(
  practiceId: string,
  username: string,
  members: readonly { readonly userId: string; readonly status: 'active' | 'removed' }[],
): Promise<void> {
  const removed = new Set(members.filter((m) => m.status === 'removed').map((m) => m.userId));
  return removed.size === 0 ? Promise.resolve() : forgetMembers(practiceId, username, removed);
}

async function forgetMembers(practiceId: string, username: string, userIds: ReadonlySet<string>) {
  const confirmed = await loadConfirmedMembers(practiceId);
  if ([...confirmed.keys()].some((id) => userIds.has(id))) {
    await localDatabase.put(stores.confirmedMembers, practiceId, without(confirmed, userIds));
  }
  const pinned = await loadTrustedGranters(username);
  if ([...pinned.keys()].some((id) => userIds.has(id))) {
    await localDatabase.put(stores.trustedGranters, normalise(username), without(pinned, userIds));
  }
}

function without(map: ReadonlyMap<string, string>, keys: ReadonlySet<string>): StringMap {
  return Object.fromEntries([...map].filter(([id]) => !keys.has(id)));
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
