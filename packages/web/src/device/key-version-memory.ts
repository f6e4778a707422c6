import type { KeyVersionMemory, MemberIds } from '@tresor/sdk';
import { localDatabase, stores } from './local-database';

const memberKey = ({ practiceId, userId }: MemberIds) => `${practiceId}/${userId}`;

/**
 * The highest practice-key version this browser opened, per practice and user, in IndexedDB:
 * a later login here never writes under an older version, whatever the server serves (see the
 * SDK's `KeyVersionMemory`). A number only, no key.
 */
export const keyVersionMemory: KeyVersionMemory = {
  async load(ids) {
    const stored = await localDatabase.get<unknown>(stores.keyVersions, memberKey(ids));
    return typeof stored === 'number' && Number.isSafeInteger(stored) && stored > 0 ? stored : undefined;
  },
  save(ids, version) {
    return localDatabase.put(stores.keyVersions, memberKey(ids), version);
  },
};
