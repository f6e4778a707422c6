import { sql } from 'kysely';
import type { Database } from '../platform/db/database.js';

export interface DumpOptions {
  /** Only rows of this practice (tables with a `practice_id` column). */
  readonly practiceId?: string;
  /** Columns left out, e.g. `last_seen_at`, which reads change. */
  readonly omitColumns?: readonly string[];
}

/**
 * Every row of every table, as the database owner sees it (past row-level security), with rows
 * sorted so that two dumps of the same state compare equal. Tests only.
 */
export async function dumpRows(database: Database, options: DumpOptions = {}): Promise<string> {
  const omit = new Set(options.omitColumns ?? []);
  return database.db.transaction().execute(async (trx) => {
    await sql`set local role none`.execute(trx);
    const { rows: tables } =
      options.practiceId === undefined
        ? await sql<{ table_name: string }>`
            select table_name from information_schema.tables
            where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(trx)
        : await sql<{ table_name: string }>`
            select c.table_name from information_schema.columns c
            join information_schema.tables t using (table_schema, table_name)
            where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.column_name = 'practice_id'
            order by c.table_name`.execute(trx);
    const out: Record<string, string[]> = {};
    for (const { table_name } of tables) {
      const table = sql.table(table_name);
      const { rows } =
        options.practiceId === undefined
          ? await sql<Record<string, unknown>>`select * from ${table}`.execute(trx)
          : await sql<
              Record<string, unknown>
            >`select * from ${table} where practice_id = ${options.practiceId}`.execute(trx);
      out[table_name] = rows
        .map((row) =>
          JSON.stringify(Object.fromEntries(Object.entries(row).filter(([key]) => !omit.has(key)))),
        )
        .sort();
    }
    return JSON.stringify(out);
  });
}
