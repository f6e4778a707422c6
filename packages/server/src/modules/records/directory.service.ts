import type { records } from '@tresor/sdk/contract';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { RecordsStore } from './records.store.js';

/**
 * The encrypted patient directory as a change feed (clients keep a local copy and ask for what
 * changed since their cursor), and the blind-index lookup. The server only hands out ciphertext
 * and candidate ids; matching and dropping false hits happen on the client.
 */
export class DirectoryService {
  constructor(private readonly store: RecordsStore) {}

  changes(auth: AuthContext, since: number, limit: number): Promise<records.DirectoryPage> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const changes = await tx.directoryChanges(since, limit + 1);
      const page = changes.slice(0, limit);
      return {
        changes: page.map((c) => ({
          patientId: c.patientId,
          seq: c.seq,
          entry: c.entry as records.DirectoryChange['entry'],
        })),
        cursor: page.at(-1)?.seq ?? since,
        more: changes.length > limit,
      };
    });
  }

  lookup(auth: AuthContext, body: records.LookupBody): Promise<string[]> {
    return this.store.lookup(auth.practiceId, body.field, body.terms);
  }
}
