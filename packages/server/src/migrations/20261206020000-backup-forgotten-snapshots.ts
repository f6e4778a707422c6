import { type Kysely, sql } from 'kysely';
import { enableTenantIsolation } from './20261123190000-platform.js';

/**
 * The names of snapshot objects a cloud retention run deleted. A practice's agent keeps its own
 * (local) snapshots longer or shorter than the cloud does; `replicate` must not store a snapshot
 * again that the cloud's retention already let go, and the server refuses it. Names only: they
 * are hashes of ciphertext and say nothing about the content.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table backup_forgotten_snapshots (
      practice_id uuid not null references practices (id),
      name text not null,
      forgotten_at timestamptz not null default now(),
      primary key (practice_id, name)
    )`.execute(db);
  await enableTenantIsolation(db, 'backup_forgotten_snapshots');
}
