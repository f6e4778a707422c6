import { type Kysely, sql } from 'kysely';

/**
 * The reads of the two first login steps as functions, each one statement with a cached plan
 * (a login is mostly a handful of statements, and on the embedded database every statement's
 * parsing and planning shows). Both run as the caller, so row-level security applies: each binds
 * the practice it reads (as `withPractice` does) for its own read only and restores the binding
 * it found, so a caller inside a practice transaction keeps its practice.
 *
 * - `login_candidate(login_name)`: user id, practice, status and OPAQUE record behind one login
 *   name, through the global login-name lookup (OPAQUE login start).
 * - `login_context(practice, user, device)`: the user, the practice settings, the named device
 *   and the user's practice-key grants (OPAQUE login finish and complete).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function login_candidate(login_name text)
    returns table (user_id uuid, practice_id uuid, status text, opaque_record text)
    language plpgsql set search_path = pg_catalog, public as $$
    declare
      bound text := current_setting('tresor.practice_id', true);
      found_practice uuid;
      found_user uuid;
    begin
      select l.practice_id, l.target_id into found_practice, found_user
        from tenant_lookup l where l.kind = 'username' and l.key = login_name;
      if found_practice is null then
        return;
      end if;
      perform set_config('tresor.practice_id', found_practice::text, true);
      return query
        select u.id, u.practice_id, u.status, u.opaque_record
          from users u where u.id = found_user and u.practice_id = found_practice;
      perform set_config('tresor.practice_id', coalesce(bound, ''), true);
    end $$`.execute(db);

  await sql`
    create function login_context(practice uuid, login_user uuid, login_device uuid)
    returns table (
      user_id uuid, username text, role text, status text, user_key_by_password jsonb,
      private_keys jsonb, totp_secret_sealed text, totp_last_step bigint,
      practice_name text, require_two_factor boolean, current_pk_version integer,
      device_id uuid, device_user_id uuid, device_name text, device_public_key text,
      device_status text, grant_bodies json)
    language plpgsql set search_path = pg_catalog, public as $$
    declare
      bound text := current_setting('tresor.practice_id', true);
    begin
      perform set_config('tresor.practice_id', practice::text, true);
      return query
        select u.id, u.username, u.role, u.status, u.user_key_by_password, u.private_keys,
          u.totp_secret_sealed, u.totp_last_step, p.name, p.require_two_factor,
          p.current_pk_version, d.id, d.user_id, d.name, d.public_key, d.status,
          (select coalesce(json_agg(g.grant_body order by g.pk_version), '[]'::json)
             from practice_key_grants g where g.recipient_user_id = u.id)
        from users u
        join practices p on p.id = u.practice_id
        left join devices d on d.id = login_device
        where u.id = login_user;
      perform set_config('tresor.practice_id', coalesce(bound, ''), true);
    end $$`.execute(db);

  for (const fn of ['login_candidate(text)', 'login_context(uuid, uuid, uuid)']) {
    await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
    await sql`grant execute on function ${sql.raw(fn)} to tresor_app`.execute(db);
  }
}
