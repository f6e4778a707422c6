import { type Kysely, sql } from 'kysely';

/**
 * The application role (not superuser, not owner: row-level security applies to it), its
 * privileges, and the tenant probe table that proves tenant separation end to end.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    begin
      if not exists (select from pg_roles where rolname = 'tresor_app') then
        begin
          create role tresor_app nologin;
        exception when duplicate_object or unique_violation then null;
        end;
      end if;
    end $$`.execute(db);
  await sql`grant tresor_app to current_user`.execute(db);
  await sql`grant usage on schema public to tresor_app`.execute(db);
  await sql`grant select on kysely_migration to tresor_app`.execute(db);
  await sql`
    alter default privileges in schema public
    grant select, insert, update, delete on tables to tresor_app`.execute(db);
  await sql`alter default privileges in schema public grant usage, select on sequences to tresor_app`.execute(
    db,
  );

  await sql`
    create table tenant_probes (
      id uuid primary key default gen_random_uuid(),
      practice_id uuid not null,
      body text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index tenant_probes_practice_idx on tenant_probes (practice_id, created_at)`.execute(db);
  await enableTenantIsolation(db, 'tenant_probes');
}

/**
 * Row-level security for a practice-owned table: rows are visible and writable only inside
 * a transaction whose `tresor.practice_id` equals the row's `practice_id`. FORCE makes the
 * policy bind the table owner too; only superusers bypass it, and requests never run as one.
 */
export async function enableTenantIsolation(db: Kysely<unknown>, table: string): Promise<void> {
  const name = sql.table(table);
  await sql`alter table ${name} enable row level security`.execute(db);
  await sql`alter table ${name} force row level security`.execute(db);
  await sql`
    create policy tenant_isolation on ${name}
    using (practice_id = nullif(current_setting('tresor.practice_id', true), '')::uuid)
    with check (practice_id = nullif(current_setting('tresor.practice_id', true), '')::uuid)`.execute(db);
}
