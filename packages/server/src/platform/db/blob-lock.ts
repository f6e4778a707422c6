import { type Transaction, sql } from 'kysely';
import type { Schema } from './schema.js';

/** The advisory lock key of a blob: one format for every module that records or deletes blobs. */
export const blobLockName = (blobKey: string): string => `tresor.blob:${blobKey}`;

/**
 * Holds these blob keys until the transaction ends: a transaction-scoped advisory lock per key.
 * The blob store is content-addressed and shared by all practices and modules (document chunks,
 * backup objects), so the lock is global, like `blob_references`: one blob, one lock, whoever
 * refers to it. Whoever records a reference to a blob checks under this lock that the blob still
 * exists; whoever deletes a blob checks under it that nothing refers to it. So a deletion never
 * runs between another request's check that its blob exists and its commit.
 *
 * Taken in key order, one after the other (unnest keeps the array's order), so two holders of
 * several keys never deadlock.
 */
export async function lockBlobKeys(trx: Transaction<Schema>, blobKeys: readonly string[]): Promise<void> {
  const names = [...new Set(blobKeys)].sort().map(blobLockName);
  if (names.length === 0) return;
  await sql`
    select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${names}::text[]) as k`.execute(trx);
}

/**
 * Whether any practice or module refers to the blob (`blob_references`, counted per blob and practice by triggers). Global
 * on purpose (the table has no practice policy): a blob goes only when nothing refers to it. Ask
 * under {@link lockBlobKeys} before deleting.
 */
export async function blobReferenced(trx: Transaction<Schema>, blobKey: string): Promise<boolean> {
  const row = await trx
    .selectFrom('blob_references')
    .select('refs')
    .where('blob_key', '=', blobKey)
    .where('refs', '>', 0)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Those of `blobKeys` that any practice or module refers to, in one query (the batch form of
 * {@link blobReferenced}). Ask under {@link lockBlobKeys} before deleting.
 */
export async function referencedBlobKeys(
  trx: Transaction<Schema>,
  blobKeys: readonly string[],
): Promise<Set<string>> {
  if (blobKeys.length === 0) return new Set();
  const rows = await trx
    .selectFrom('blob_references')
    .select('blob_key')
    .distinct()
    .where('blob_key', 'in', [...new Set(blobKeys)])
    .where('refs', '>', 0)
    .execute();
  return new Set(rows.map((row) => row.blob_key));
}
