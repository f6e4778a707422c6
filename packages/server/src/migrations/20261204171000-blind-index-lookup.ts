import { type Kysely, sql } from 'kysely';

/**
 * The blind-index lookup as one function, one statement with a cached plan whatever the number of
 * terms (before, a transaction of four statements whose SQL text changed with the term count).
 *
 * `blind_index_lookup(practice, field, pk_versions, index_values)` binds the practice for its own
 * read (row-level security applies, as in `login_context`), returns the distinct patient ids whose
 * index value for `field` equals one of the (pk_version, value) pairs, in id order, and restores
 * the practice binding it found. Each term is one equality probe of the lookup index, so the
 * plan does not depend on table statistics, which the embedded database (no autovacuum)
 * would otherwise keep stale after an import.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function blind_index_lookup(practice uuid, lookup_field text, pk_versions integer[], index_values integer[])
    returns table (patient_id uuid)
    language plpgsql set search_path = pg_catalog, public as $$
    #variable_conflict use_column
    declare
      bound text := current_setting('tresor.practice_id', true);
      hits uuid[] := '{}';
    begin
      perform set_config('tresor.practice_id', practice::text, true);
      for term in 1 .. coalesce(array_length(index_values, 1), 0) loop
        hits := hits || array(
          select b.patient_id from patient_blind_index b
           where b.practice_id = practice and b.field = lookup_field
             and b.value = index_values[term] and b.pk_version = pk_versions[term]);
      end loop;
      perform set_config('tresor.practice_id', coalesce(bound, ''), true);
      return query select distinct hit from unnest(hits) as hit order by hit;
    end $$`.execute(db);
  const signature = 'blind_index_lookup(uuid, text, integer[], integer[])';
  await sql`revoke all on function ${sql.raw(signature)} from public`.execute(db);
  await sql`grant execute on function ${sql.raw(signature)} to tresor_app`.execute(db);
}
