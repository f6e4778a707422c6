import { type Kysely, sql } from 'kysely';
import { enableTenantIsolation } from './20261123190000-platform.js';

/**
 * The cloud side of encrypted backups: per practice, the objects of its backup repository
 * (config, key slots, index, snapshots, packs) as opaque blobs, the credentials its backup agents
 * use, and a global count of references per blob.
 *
 * - `backup_objects` rows are never updated, and a row cannot be deleted before its
 *   `locked_until` (trigger, for every role as long as triggers are on): the minimum lock period.
 * - `backup_credential_tokens` maps token hashes to their credential (global, like
 *   `tenant_lookup`; no secrets).
 * - `blob_references` counts, per blob and practice, the rows that refer to a blob (document
 *   chunks and backup objects, maintained by triggers), so a blob is deleted only when no practice
 *   refers to it any more (the blob store is content-addressed and shared).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table backup_credentials (
      id uuid primary key,
      practice_id uuid not null references practices (id),
      name text not null check (length(name) between 1 and 200),
      kind text not null check (kind in ('agent', 'retention')),
      created_by uuid not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`.execute(db);
  await sql`
    create table backup_credential_tokens (
      token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
      practice_id uuid not null,
      credential_id uuid not null
    )`.execute(db);
  await sql`
    create table backup_objects (
      practice_id uuid not null references practices (id),
      kind text not null check (kind in ('config', 'keys', 'index', 'snapshots', 'data')),
      name text not null check (name ~ '^[A-Za-z0-9._-]{1,128}$'),
      blob_key text not null check (blob_key ~ '^[0-9a-f]{64}$'),
      size bigint not null check (size >= 0),
      created_by uuid not null,
      created_at timestamptz not null default now(),
      locked_until timestamptz not null,
      primary key (practice_id, kind, name)
    )`.execute(db);
  await sql`revoke update on backup_objects from tresor_app`.execute(db);
  await sql`
    create function backup_object_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        raise exception 'backup objects are never changed' using errcode = 'insufficient_privilege';
      end if;
      if old.locked_until > now() then
        raise exception 'backup object % is locked until %', old.name, old.locked_until
          using errcode = 'insufficient_privilege';
      end if;
      return old;
    end $$`.execute(db);
  await sql`
    create trigger backup_objects_guard before update or delete on backup_objects
    for each row execute function backup_object_guard()`.execute(db);
  for (const table of ['backup_credentials', 'backup_objects']) await enableTenantIsolation(db, table);

  await sql`
    create table blob_references (
      blob_key text not null check (blob_key ~ '^[0-9a-f]{64}$'),
      practice_id uuid not null,
      refs integer not null check (refs >= 0),
      primary key (blob_key, practice_id)
    )`.execute(db);
  await sql`
    create function count_blob_reference() returns trigger language plpgsql as $$
    begin
      if tg_op in ('INSERT', 'UPDATE') then
        insert into blob_references (blob_key, practice_id, refs) values (new.blob_key, new.practice_id, 1)
          on conflict (blob_key, practice_id) do update set refs = blob_references.refs + 1;
      end if;
      if tg_op in ('DELETE', 'UPDATE') then
        update blob_references set refs = refs - 1
          where blob_key = old.blob_key and practice_id = old.practice_id;
        delete from blob_references
          where blob_key = old.blob_key and practice_id = old.practice_id and refs = 0;
      end if;
      return null;
    end $$`.execute(db);
  for (const table of ['document_chunks', 'backup_objects']) {
    await sql`
      create trigger ${sql.id(`${table}_blob_references`)} after insert or update of blob_key or delete
      on ${sql.table(table)} for each row execute function count_blob_reference()`.execute(db);
  }
  // References of chunks stored before this migration.
  await sql`
    insert into blob_references (blob_key, practice_id, refs)
    select blob_key, practice_id, count(*) from document_chunks group by blob_key, practice_id`.execute(db);
}
