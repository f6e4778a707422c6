import { keyVersionLocked } from '../client-errors.js';
import {
  BlindIndexer,
  type DataKey,
  DirectoryCipher,
  type Envelope,
  type PracticeKey,
  pkVersionOfKid,
  unwrapDataKey,
} from '@tresor/crypto';
import type { TSchema, Static } from '@sinclair/typebox';
import type { HttpClient } from '../http.js';
import type { UnlockedKeys } from '../accounts/user-key-material.js';
import type { RecordVersionMemory } from './record-version-memory.js';

export type PracticeKeys = Pick<UnlockedKeys, 'practiceKeys' | 'currentPkVersion'> &
  Partial<Pick<UnlockedKeys, 'untrustedGrants'>>;

/** What the records client needs of a signed-in session. Keys are read on every use, so a locked session stops it. */
export interface RecordsContext {
  readonly http: HttpClient;
  readonly practiceId: string;
  token(): string;
  /** The unlocked practice keys; throws once the session is locked. */
  keys(): PracticeKeys;
  /** Where this device remembers record versions between sessions (see record-versions.ts). */
  readonly versionMemory?: RecordVersionMemory;
}

// Derived keys are cached per practice key object: when a session is locked and drops its keys,
// nothing here keeps them reachable.
const indexers = new WeakMap<PracticeKey, Promise<BlindIndexer>>();
const directoryCiphers = new WeakMap<ReadonlyMap<number, PracticeKey>, DirectoryCipher>();

export function practiceKey(keys: PracticeKeys, version: number): PracticeKey {
  const key = keys.practiceKeys.get(version);
  if (key === undefined) throw keyVersionLocked(keys, version);
  return key;
}

export function blindIndexer(keys: PracticeKeys, version: number): Promise<BlindIndexer> {
  const key = practiceKey(keys, version);
  let indexer = indexers.get(key);
  if (indexer === undefined) {
    indexer = BlindIndexer.create(key, version);
    indexers.set(key, indexer);
  }
  return indexer;
}

export function directoryCipher(context: RecordsContext): DirectoryCipher {
  const keys = context.keys().practiceKeys;
  let cipher = directoryCiphers.get(keys);
  if (cipher === undefined) {
    cipher = new DirectoryCipher(context.practiceId, keys);
    directoryCiphers.set(keys, cipher);
  }
  return cipher;
}

/** Opens a record's wrapped data key with the practice-key version its kid names. */
export function openDataKey(context: RecordsContext, recordId: string, wrapped: Envelope): Promise<DataKey> {
  const version = pkVersionOfKid(wrapped.kid);
  if (version === undefined) throw new Error(`not a practice-key wrap: ${wrapped.kid}`);
  return unwrapDataKey(practiceKey(context.keys(), version), wrapped, {
    practiceId: context.practiceId,
    recordId,
  });
}

/** A JSON call with the session's token. */
export function call<S extends TSchema>(
  context: RecordsContext,
  method: string,
  path: string,
  schema: S,
  body?: unknown,
): Promise<Static<S>> {
  return context.http.call(method, path, {
    schema,
    token: context.token(),
    ...(body === undefined ? {} : { body }),
  });
}

export function randomId(): string {
  return globalThis.crypto.randomUUID();
}
