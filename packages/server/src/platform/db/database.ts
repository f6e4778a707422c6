import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, type Migration, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../../config/config.js';
import { APP_ROLE } from './app-role.js';
import { StartupError } from '../startup-error.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Schema } from './schema.js';

export type StorageKind = 'embedded' | 'postgresql';

/** An open database: requests run as the application role, under row-level security. */
export interface Database {
  readonly kind: StorageKind;
  readonly db: Kysely<Schema>;
  /** Known migrations; `/readyz` compares them with what the database has applied. */
  readonly migrations: Readonly<Record<string, Migration>>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly migrations: Readonly<Record<string, Migration>>;
  /** `migrate` applies pending migrations; `require-current` refuses to open a stale schema. */
  readonly mode: 'migrate' | 'require-current';
  readonly onMigrated?: (applied: readonly string[]) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.databaseUrl === undefined
    ? openEmbedded(options)
    : openPostgres(options, options.databaseUrl);
}

async function prepareSchema(owner: Kysely<unknown>, options: OpenDatabaseOptions) {
  if (options.mode === 'migrate') {
    const report = await migrateToLatest(owner, options.migrations);
    options.onMigrated?.(report.applied);
    return;
  }
  const pending = await pendingMigrations(owner, options.migrations);
  if (pending.length > 0) {
    throw new StartupError(
      'database.migrations_pending',
      `the database schema is behind (${pending.length} pending: ${pending.join(', ')}); run "tresor migrate"`,
    );
  }
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  const dir = join(options.dataDir, 'pglite');
  let pglite: PGlite;
  try {
    await mkdir(dir, { recursive: true });
    pglite = await PGlite.create(dir);
  } catch (error) {
    throw new StartupError(
      'database.open_failed',
      `cannot open embedded database in ${dir}: ${describe(error)}`,
    );
  }
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(pglite) });
  try {
    await prepareSchema(db as Kysely<unknown>, options);
    // From here on the single embedded session acts as the application role.
    await sql`set role ${sql.id(APP_ROLE)}`.execute(db);
  } catch (error) {
    await db.destroy();
    await pglite.close();
    throw error;
  }
  return {
    kind: 'embedded',
    db,
    migrations: options.migrations,
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

async function openPostgres(options: OpenDatabaseOptions, url: string): Promise<Database> {
  const where = redactUrl(url);
  const ownerPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  ownerPool.on('error', () => undefined);
  try {
    const client = await ownerPool.connect().catch((error: unknown) => {
      throw new StartupError(
        'database.unreachable',
        `cannot reach PostgreSQL at ${where}: ${describe(error)}`,
      );
    });
    client.release();
    const owner = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: ownerPool }) });
    await prepareSchema(owner, options);
    await owner.destroy();
  } catch (error) {
    await ownerPool.end().catch(() => undefined);
    throw error;
  }

  const appPool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  appPool.on('error', () => undefined);
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({
      pool: appPool,
      // Every pooled connection acts as the application role before its first query.
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw(`set role ${APP_ROLE}`));
      },
    }),
  });
  return {
    kind: 'postgresql',
    db,
    migrations: options.migrations,
    async close() {
      await db.destroy();
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const aggregate: unknown = error instanceof AggregateError ? (error.errors as unknown[])[0] : undefined;
    const message = error.message || (aggregate instanceof Error ? aggregate.message : '');
    return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
