import { type Kysely, sql } from 'kysely';

/**
 * The user's list of trusted granters: which colleagues' signing keys this user has confirmed
 * (by fingerprint) as allowed to hand them practice keys. An envelope under the user key, so the
 * server can neither read nor change it; every device of the user reads the same list.
 * `login_context` returns it with the rest of the key material.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column trusted_granters jsonb`.execute(db);
  await sql`drop function login_context(uuid, uuid, uuid)`.execute(db);
  await sql`
    create function login_context(practice uuid, login_user uuid, login_device uuid)
    returns table (
      user_id uuid, username text, role text, status text, user_key_by_password jsonb,
      private_keys jsonb, totp_secret_sealed text, totp_last_step bigint,
      practice_name text, require_two_factor boolean, current_pk_version integer,
      device_id uuid, device_user_id uuid, device_name text, device_public_key text,
      device_status text, grant_bodies json, passkeys json, trusted_granters jsonb)
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
             from practice_key_grants g where g.recipient_user_id = u.id),
          (select coalesce(json_agg(json_build_object(
                    'id', k.id, 'publicKey', k.public_key, 'signCount', k.sign_count,
                    'transports', k.transports) order by k.created_at), '[]'::json)
             from passkeys k where k.user_id = u.id),
          u.trusted_granters
        from users u
        join practices p on p.id = u.practice_id
        left join devices d on d.id = login_device
        where u.id = login_user;
      perform set_config('tresor.practice_id', coalesce(bound, ''), true);
    end $$`.execute(db);
  await sql`revoke all on function login_context(uuid, uuid, uuid) from public`.execute(db);
  await sql`grant execute on function login_context(uuid, uuid, uuid) to tresor_app`.execute(db);
}
