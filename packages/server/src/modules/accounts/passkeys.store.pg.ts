import type { Selectable } from 'kysely';
import type { PasskeyTable } from '../../platform/db/schema.js';
import type { PracticeScope } from '../../platform/db/tenant.js';
import type { PasskeysStore, StoredPasskey } from './passkeys.store.js';

export class PgPasskeysStore implements PasskeysStore {
  async add(scope: PracticeScope, passkey: Omit<StoredPasskey, 'createdAt' | 'lastUsedAt'>) {
    const result = await scope
      .insertInto('passkeys')
      .values({
        id: passkey.id,
        practice_id: passkey.practiceId,
        user_id: passkey.userId,
        name: passkey.name,
        public_key: passkey.publicKey,
        sign_count: passkey.signCount,
        transports: [...passkey.transports],
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async list(scope: PracticeScope, userId: string): Promise<StoredPasskey[]> {
    const rows = await scope
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map(toPasskey);
  }

  async remove(scope: PracticeScope, userId: string, id: string): Promise<boolean> {
    const result = await scope
      .deleteFrom('passkeys')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async recordUse(scope: PracticeScope, id: string, signCount: number, at: Date): Promise<boolean> {
    const result = await scope
      .updateTable('passkeys')
      .set({ sign_count: signCount, last_used_at: at })
      .where('id', '=', id)
      .where('sign_count', signCount === 0 ? '=' : '<', signCount)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function toPasskey(row: Selectable<PasskeyTable>): StoredPasskey {
  return {
    id: row.id,
    practiceId: row.practice_id,
    userId: row.user_id,
    name: row.name,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    transports: row.transports,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
