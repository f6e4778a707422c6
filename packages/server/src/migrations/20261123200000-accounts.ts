import { type Kysely, sql } from 'kysely';
import { enableTenantIsolation } from './20261123190000-platform.js';

/**
 * Practices, users, devices, sessions, invites and practice-key grants. Everything a practice
 * owns is under row-level security; `tenant_lookup` is the one global table, mapping login
 * names and token hashes to the practice that owns them (it holds no secrets and no keys).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table tenant_lookup (
      kind text not null check (kind in ('username', 'session', 'invite')),
      key text not null,
      practice_id uuid not null,
      target_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (kind, key)
    )`.execute(db);

  await sql`
    create table practices (
      id uuid primary key,
      practice_id uuid generated always as (id) stored,
      name text not null,
      require_two_factor boolean not null default true,
      current_pk_version integer not null default 1,
      created_at timestamptz not null default now()
    )`.execute(db);
  await enableTenantIsolation(db, 'practices');

  await sql`
    create table users (
      id uuid primary key,
      practice_id uuid not null references practices (id),
      username text not null,
      role text not null check (role in ('primary', 'secondary')),
      status text not null check (status in ('active', 'removed')),
      opaque_record text not null,
      user_key_by_password jsonb not null,
      user_key_by_recovery jsonb not null,
      private_keys jsonb not null,
      encryption_public_key text not null,
      signing_public_key text not null,
      recovery_public_key text not null,
      totp_secret_sealed text,
      totp_enrolled_at timestamptz,
      totp_last_step bigint,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index users_practice_idx on users (practice_id)`.execute(db);
  await enableTenantIsolation(db, 'users');

  await sql`
    create table devices (
      id uuid primary key,
      practice_id uuid not null references practices (id),
      user_id uuid not null references users (id),
      name text not null,
      public_key text not null,
      status text not null check (status in ('pending', 'approved', 'revoked')),
      created_at timestamptz not null default now(),
      approved_at timestamptz,
      approved_by uuid,
      revoked_at timestamptz,
      last_seen_at timestamptz
    )`.execute(db);
  await sql`create index devices_user_idx on devices (practice_id, user_id)`.execute(db);
  await enableTenantIsolation(db, 'devices');

  await sql`
    create table sessions (
      id uuid primary key,
      practice_id uuid not null references practices (id),
      user_id uuid not null references users (id),
      device_id uuid not null references devices (id),
      client_ip text,
      user_agent text,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index sessions_user_idx on sessions (practice_id, user_id)`.execute(db);
  await enableTenantIsolation(db, 'sessions');

  await sql`
    create table invites (
      id uuid primary key,
      practice_id uuid not null references practices (id),
      role text not null check (role in ('primary', 'secondary')),
      created_by uuid not null references users (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      accepted_user_id uuid references users (id),
      revoked_at timestamptz
    )`.execute(db);
  await enableTenantIsolation(db, 'invites');

  await sql`
    create table practice_key_grants (
      practice_id uuid not null references practices (id),
      pk_version integer not null,
      recipient_user_id uuid not null references users (id),
      granter_user_id uuid not null references users (id),
      grant_body jsonb not null,
      created_at timestamptz not null default now(),
      primary key (practice_id, pk_version, recipient_user_id)
    )`.execute(db);
  await enableTenantIsolation(db, 'practice_key_grants');

  await sql`
    create table security_alarms (
      id uuid primary key default gen_random_uuid(),
      practice_id uuid not null references practices (id),
      user_id uuid references users (id),
      kind text not null,
      detail text not null,
      created_at timestamptz not null default now(),
      acknowledged_at timestamptz
    )`.execute(db);
  await enableTenantIsolation(db, 'security_alarms');
}
