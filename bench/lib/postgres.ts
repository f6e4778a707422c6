import pg from 'pg';
import { startPostgresCluster } from '../../scripts/postgres-cluster.mjs';

export interface BenchDatabase {
  /** URL of the benchmark database, for DATABASE_URL. */
  readonly url: string;
  /** Server version and durability settings, e.g. "PostgreSQL 17.2, fsync=on, ...". */
  readonly description: string;
  stop(): void;
}

const DURABILITY_SETTINGS = ['fsync', 'synchronous_commit', 'full_page_writes'];

/**
 * Starts a throwaway PostgreSQL server with its durability settings left on (like the embedded
 * storage, every commit reaches the disk) and creates an empty database `name` in it.
 */
export async function startBenchDatabase(name: string): Promise<BenchDatabase> {
  const cluster = await startPostgresCluster({ tuneForTests: false });
  try {
    const description = await createDatabase(cluster.url, name);
    const url = new URL(cluster.url);
    url.pathname = `/${name}`;
    return {
      url: url.href,
      description,
      stop: () => {
        cluster.stop();
      },
    };
  } catch (error) {
    cluster.stop();
    throw error;
  }
}

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${client.escapeIdentifier(name)}`);
    const version = await client.query<{ server_version: string }>('show server_version');
    const settings = await client.query<{ name: string; setting: string }>(
      'select name, setting from pg_settings where name = any($1) order by name',
      [DURABILITY_SETTINGS],
    );
    const durability = settings.rows.map((row) => `${row.name}=${row.setting}`);
    return [`PostgreSQL ${version.rows[0]?.server_version ?? '?'}`, ...durability].join(', ');
  } finally {
    await client.end();
  }
}
