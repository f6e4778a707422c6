import type { Kysely } from 'kysely';
import type { BlobKey } from '../blob/blob-store.js';
import type { BlobDamageStore } from '../blob/blob-scrub.js';
import type { Schema } from './schema.js';

/**
 * Those of `blobKeys` the integrity scrub recorded as damaged. Global like `blob-lock.ts`: every
 * module asks through here, in its own transaction.
 */
export async function damagedAmong(
  db: Kysely<Schema>,
  blobKeys: readonly string[],
): Promise<ReadonlySet<string>> {
  if (blobKeys.length === 0) return new Set();
  const rows = await db
    .selectFrom('blob_damage')
    .select('blob_key')
    .where('blob_key', 'in', [...new Set(blobKeys)])
    .execute();
  return new Set(rows.map((row) => row.blob_key));
}

/** Forgets a blob as damaged: it was just written anew from bytes that hash to its key. */
export async function clearBlobDamage(db: Kysely<Schema>, blobKey: string): Promise<void> {
  await db.deleteFrom('blob_damage').where('blob_key', '=', blobKey).execute();
}

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

  clearDamaged(key: BlobKey): Promise<void> {
    return clearBlobDamage(this.db, key);
  }

  async unalarmed(): Promise<{ keys: readonly BlobKey[]; practices: ReadonlyMap<string, number> }> {
    const keys = (
      await this.db.selectFrom('blob_damage').select('blob_key').where('alarmed_at', 'is', null).execute()
    ).map((row) => row.blob_key as BlobKey);
    if (keys.length === 0) return { keys, practices: new Map() };
    const rows = await this.db
      .selectFrom('blob_references')
      .select(['practice_id', (eb) => eb.fn.countAll<string>().as('files')])
      .where('blob_key', 'in', keys)
      .where('refs', '>', 0)
      .groupBy('practice_id')
      .execute();
    return { keys, practices: new Map(rows.map((row) => [row.practice_id, Number(row.files)])) };
  }

  async markAlarmed(keys: readonly BlobKey[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .updateTable('blob_damage')
      .set({ alarmed_at: new Date() })
      .where('blob_key', 'in', [...keys])
      .execute();
  }

  async damagedKeys(): Promise<ReadonlySet<string>> {
    const rows = await this.db.selectFrom('blob_damage').select('blob_key').execute();
    return new Set(rows.map((row) => row.blob_key));
  }
}
