import type { Kysely } from 'kysely';
import type { BlobKey } from '../blob/blob-store.js';
import type { OrphanSweepStore } from '../blob/orphan-sweep.js';
import { lockBlobKeys, referencedBlobKeys } from './blob-lock.js';
import type { Schema } from './schema.js';

/**
 * The orphan sweep's database side: blob locks and the global `blob_references` (neither bound to
 * a practice, so no practice is set; the table has no row-level security).
 */
export class PgOrphanSweepStore implements OrphanSweepStore {
  constructor(private readonly db: Kysely<Schema>) {}

  whileLocked<T>(
    keys: readonly BlobKey[],
    work: (referenced: ReadonlySet<string>) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await lockBlobKeys(trx, keys);
      return work(await referencedBlobKeys(trx, keys));
    });
  }

  async anyReferenced(): Promise<boolean> {
    const row = await this.db
      .selectFrom('blob_references')
      .select('blob_key')
      .where('refs', '>', 0)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
