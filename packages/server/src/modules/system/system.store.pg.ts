import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import type { SystemStore } from './system.store.js';

export class PgSystemStore implements SystemStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  async appliedMigrations(): Promise<string[]> {
    const result = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      this.db,
    );
    return result.rows.map((row) => row.name);
  }
}
