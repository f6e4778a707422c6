import type { Kysely } from 'kysely';
import type { BlobKey } from '../blob/blob-store.js';
import type { BlobDamageStore } from '../blob/blob-scrub.js';
import type { Schema } from './schema.js';

/** The scrub's record of damaged blobs: the global `blob_damage` (no practice is set). */
export class PgBlobDamageStore implements BlobDamageStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async markDamaged(key: BlobKey): Promise<void> {
    await this.db
      .insertInto('blob_damage')
      .values({ blob_key: key })
      .onConflict((conflict) => conflict.column('blob_key').doNothing())
      .execute();
  }

  async clearDamaged(key: BlobKey): Promise<void> {
    await this.db.deleteFrom('blob_damage').where('blob_key', '=', key).execute();
  }

  async damagedKeys(): Promise<ReadonlySet<string>> {
    const rows = await this.db.selectFrom('blob_damage').select('blob_key').execute();
    return new Set(rows.map((row) => row.blob_key));
  }
}
