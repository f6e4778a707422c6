import { type Kysely, sql } from 'kysely';
import { enableTenantIsolation } from './20261123190000-platform.js';

/**
 * The cloud retention lock: at most one per practice. While it is live (`expires_at` in the
 * future, database clock), only its credential may store objects, and only its holder may delete
 * them. So a retention run that decides what is unneeded cannot race with a replicate adding a
 * snapshot that still needs an old pack.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table backup_retention_locks (
      practice_id uuid primary key references practices (id),
      id uuid not null,
      credential_id uuid not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    )`.execute(db);
  await enableTenantIsolation(db, 'backup_retention_locks');
}
