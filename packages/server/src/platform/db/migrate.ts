import { type Kysely, type Migration, Migrator } from 'kysely';
import { StartupError } from '../startup-error.js';

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly newest: string | undefined;
}

/**
 * Applies all pending migrations in one transaction: either every pending migration is
 * applied or none is, so a failing migration never leaves a half-migrated database.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Readonly<Record<string, Migration>>,
): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new StartupError(
      'database.migration_failed',
      `migration ${failed} failed, nothing was applied: ${reason}`,
    );
  }
  const names = Object.keys(migrations).sort();
  return { applied: results.map((r) => r.migrationName), newest: names.at(-1) };
}

/** Names of known migrations that the database has not applied yet. */
export async function pendingMigrations(
  db: Kysely<unknown>,
  migrations: Readonly<Record<string, Migration>>,
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
