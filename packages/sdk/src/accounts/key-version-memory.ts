import type { UnlockedKeys } from './user-key-material.js';

/** A user of a practice, as a device knows them. */
export interface MemberIds {
  readonly practiceId: string;
  readonly userId: string;
}

/**
 * What a device remembers between sessions about a user's practice keys: the highest version it
 * opened a verified key for. A later login on the same device then never writes or re-wraps under
 * an older version, even when the server withholds the newer grant (say, colluding with a removed
 * user who holds the older key): writes fail with `KeyVersionLockedError` until the grant is
 * served again. Only versions this device verified are remembered, never the server's word, so a
 * server cannot lock a device out by naming a version that does not exist. An app keeps it where
 * it keeps the device identity (the web app: IndexedDB).
 */
export interface KeyVersionMemory {
  load(ids: MemberIds): Promise<number | undefined>;
  /** Keeps `version` unless a higher one is remembered (never lowers). */
  save(ids: MemberIds, version: number): Promise<void>;
}

/** Remembers in memory only (tests, short-lived tools). */
export class MemoryKeyVersionMemory implements KeyVersionMemory {
  readonly #versions = new Map<string, number>();

  async load(ids: MemberIds): Promise<number | undefined> {
    return this.#versions.get(memberKey(ids));
  }

  async save(ids: MemberIds, version: number): Promise<void> {
    if (version > (this.#versions.get(memberKey(ids)) ?? 0)) this.#versions.set(memberKey(ids), version);
  }
}

const memberKey = ({ practiceId, userId }: MemberIds) => `${practiceId}/${userId}`;

/** The highest practice-key version these keys hold a verified key for (0: none). */
export function highestOpenedVersion(keys: Pick<UnlockedKeys, 'practiceKeys'>): number {
  return Math.max(0, ...keys.practiceKeys.keys());
}

/**
 * Saves `keys`' highest opened version (the memory keeps the higher one). Best effort: a device
 * that cannot write its storage still works, it only does not remember.
 */
export async function rememberOpenedVersion(
  memory: KeyVersionMemory | undefined,
  ids: MemberIds,
  keys: Pick<UnlockedKeys, 'practiceKeys'>,
): Promise<void> {
  if (memory === undefined) return;
  const opened = highestOpenedVersion(keys);
  if (opened === 0) return;
  try {
    await memory.save(ids, opened);
  } catch {
    // not remembered this time; the next session tries again
  }
}
