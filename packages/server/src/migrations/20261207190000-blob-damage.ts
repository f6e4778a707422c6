import { type Kysely, sql } from 'kysely';

/**
 * Blobs the integrity scrub (platform/blob/blob-scrub.ts) found damaged: their stored bytes no
 * longer hash to their key. Global like `blob_references` (the blob store is shared by every
 * practice and module; a key is the hash of ciphertext and says nothing about the content), so
 * the table has no row-level security; modules join it to the rows of their practice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table blob_damage (
      blob_key text primary key,
      detected_at timestamptz not null default now(),
      -- when the practices referring to the blob were alarmed (null: not yet)
      alarmed_at timestamptz
    )`.execute(db);
}
