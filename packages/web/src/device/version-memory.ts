import type { KeyVersionMemory, MemberIds, RecordVersionMemory } from '@tresor/sdk';
import { localDatabase, stores } from './local-database';

const memberKey = ({ practiceId, userId }: MemberIds) => `${practiceId}/${userId}`;

const storedVersion = (stored: unknown): number | undefined =>
  typeof stored === 'number' && Number.isSafeInteger(stored) && stored > 0 ? stored : undefined;

/**
 * The highest practice-key version this browser opened, per practice and user, in IndexedDB:
 * a later login here never writes under an older version, whatever the server serves (see the
 * SDK's `KeyVersionMemory`). A number only, no key.
 */
export const keyVersionMemory: KeyVersionMemory = {
  async load(ids) {
    return storedVersion(await localDatabase.get<unknown>(stores.keyVersions, memberKey(ids)));
  },
  save(ids, version) {
    return localDatabase.putMax(stores.keyVersions, memberKey(ids), version);
  },
};

/**
 * The highest version of each record's master data this browser opened, per practice, in
 * IndexedDB: a later session here refuses an older answer (see the SDK's `RecordVersionMemory`).
 * Record ids and version numbers only, nothing of the data.
 */
export const recordVersionMemory: RecordVersionMemory = {
  async load(practiceId, recordId) {
    return storedVersion(
      await localDatabase.get<unknown>(stores.recordVersions, `${practiceId}/${recordId}`),
    );
  },
  save(practiceId, recordId, version) {
    return localDatabase.putMax(stores.recordVersions, `${practiceId}/${recordId}`, version);
  },
};
