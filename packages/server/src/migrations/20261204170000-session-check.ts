import { type Kysely, sql } from 'kysely';

/**
 * The session check of every signed-in request as one function, one statement with a cached plan
 * (before, it was a token lookup plus a transaction of four or five statements, which on the
 * embedded database cost more than most requests' own work).
 *
 * `session_check(token_hash, check_time, idle_after, touch_after)` finds the practice through the global
 * token lookup, binds it for its own reads (row-level security applies, as in `login_context`),
 * and returns the session, its user's role and its device only while the session is unrevoked,
 * unexpired and not idle, the user active and the device approved. It moves `last_seen_at` to
 * `check_time` when it is older than `touch_after`, so most checks stay reads. It restores the practice
 * binding it found.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function session_check(token_hash text, check_time timestamptz, idle_after interval, touch_after interval)
    returns table (practice_id uuid, session_id uuid, user_id uuid, device_id uuid, role text)
    language plpgsql set search_path = pg_catalog, public as $$
    declare
      bound text := current_setting('tresor.practice_id', true);
      found_practice uuid;
      found_session uuid;
      checked record;
    begin
      select l.practice_id, l.target_id into found_practice, found_session
        from tenant_lookup l where l.kind = 'session' and l.key = token_hash;
      if found_practice is null then
        return;
      end if;
      perform set_config('tresor.practice_id', found_practice::text, true);
      select s.id, s.last_seen_at, u.id as user_id, u.role, d.id as device_id into checked
        from sessions s
        join users u on u.id = s.user_id and u.status = 'active'
        join devices d on d.id = s.device_id and d.status = 'approved'
       where s.id = found_session and s.practice_id = found_practice
         and s.revoked_at is null and s.expires_at > check_time and s.last_seen_at >= check_time - idle_after;
      if found then
        if checked.last_seen_at < check_time - touch_after then
          update sessions set last_seen_at = check_time where id = found_session;
        end if;
        return query select found_practice, checked.id, checked.user_id, checked.device_id, checked.role;
      end if;
      perform set_config('tresor.practice_id', coalesce(bound, ''), true);
    end $$`.execute(db);
  await sql`revoke all on function session_check(text, timestamptz, interval, interval) from public`.execute(
    db,
  );
  await sql`grant execute on function session_check(text, timestamptz, interval, interval) to tresor_app`.execute(
    db,
  );
}
