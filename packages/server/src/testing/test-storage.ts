import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Storage for one test: a fresh data dir, and either embedded PGlite (default) or a fresh
 * database on the PostgreSQL server named by TRESOR_TEST_POSTGRES_URL (set by the test runner,
 * which starts that server itself).
 */
export interface TestStorage {
  readonly kind: 'embedded' | 'postgresql';
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  dispose(): Promise<void>;
}

export const testPostgresUrl = process.env.TRESOR_TEST_POSTGRES_URL;

export async function createTestStorage(): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tresor-test-'));
  if (testPostgresUrl === undefined) {
    return {
      kind: 'embedded',
      dataDir,
      databaseUrl: undefined,
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `tresor_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgresql',
    dataDir,
    databaseUrl: url.toString(),
    async dispose() {
      await adminQuery(`drop database if exists ${name} with (force)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The environment that points a server process or the CLI at `storage`. */
export function storageEnv(storage: TestStorage): Record<string, string> {
  return {
    TRESOR_DATA_DIR: storage.dataDir,
    ...(storage.databaseUrl === undefined ? {} : { DATABASE_URL: storage.databaseUrl }),
  };
}
