import { type Kysely, sql } from 'kysely';
import { enableTenantIsolation } from './20261123190000-platform.js';

/**
 * The tamper-evident audit trail: append-only entries chained per practice, the head of each
 * chain, and signed checkpoints. Entries and checkpoints refuse UPDATE, DELETE and TRUNCATE
 * twice over: by trigger (for every role, owners included, as long as triggers are on) and by
 * privilege (the application role has no UPDATE, DELETE or TRUNCATE on them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table audit_entries (
      practice_id uuid not null,
      seq bigint not null check (seq > 0),
      occurred_at timestamptz not null,
      actor_user_id uuid,
      device_id uuid,
      action text not null check (length(action) <= 100),
      target_id text check (length(target_id) <= 200),
      ciphertext_hash text check (ciphertext_hash ~ '^[0-9a-f]{64}$'),
      entry_hash text not null check (entry_hash ~ '^[0-9a-f]{64}$'),
      primary key (practice_id, seq)
    )`.execute(db);

  await sql`
    create table audit_heads (
      practice_id uuid primary key,
      seq bigint not null check (seq >= 0),
      head_hash text not null check (head_hash ~ '^[0-9a-f]{64}$')
    )`.execute(db);

  await sql`
    create table audit_checkpoints (
      practice_id uuid not null,
      tree_size bigint not null check (tree_size >= 0),
      root_hash text not null check (root_hash ~ '^[0-9a-f]{64}$'),
      chain_head text not null check (chain_head ~ '^[0-9a-f]{64}$'),
      created_at timestamptz not null,
      signature text not null,
      frontier text not null,
      primary key (practice_id, tree_size)
    )`.execute(db);
  await sql`
    comment on column audit_checkpoints.frontier is
    'perfect-subtree roots (hex, comma-separated) of the tree at tree_size; not signed, checked against root_hash before use'`.execute(
    db,
  );

  await sql`
    create function audit_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit trail is append-only: % on % refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end $$`.execute(db);

  for (const table of ['audit_entries', 'audit_checkpoints']) {
    const name = sql.table(table);
    await sql`
      create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${name}
      for each row execute function audit_refuse_change()`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${name}
      for each statement execute function audit_refuse_change()`.execute(db);
    await sql`revoke update, delete, truncate on ${name} from tresor_app`.execute(db);
  }
  // The head moves forward with every append; it never moves back and is never deleted.
  await sql`revoke delete, truncate on audit_heads from tresor_app`.execute(db);
  await sql`
    create function audit_head_forward_only() returns trigger language plpgsql as $$
    begin
      if new.practice_id <> old.practice_id or new.seq < old.seq then
        raise exception 'the audit head only moves forward' using errcode = 'insufficient_privilege';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger audit_heads_forward_only before update on audit_heads
    for each row execute function audit_head_forward_only()`.execute(db);

  for (const table of ['audit_entries', 'audit_heads', 'audit_checkpoints']) {
    await enableTenantIsolation(db, table);
  }
}
