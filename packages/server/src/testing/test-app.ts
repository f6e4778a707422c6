import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { migrations } from '../migrations/index.js';
import { FsBlobStore } from '../platform/blob/fs-blob-store.js';
import { type Database, openDatabase } from '../platform/db/database.js';
import { createLogger } from '../platform/log/logger.js';
import { createTestStorage, type TestStorage } from './test-storage.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly storage: TestStorage;
  close(): Promise<void>;
}

/** The real app on test storage (PGlite or PostgreSQL), for `app.inject()` route tests. */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { clock?: () => number } = {},
): Promise<TestApp> {
  const storage = await createTestStorage();
  const config = loadConfig({
    TRESOR_DATA_DIR: storage.dataDir,
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    TRESOR_DIAGNOSTICS: 'true',
    ...env,
  });
  const database = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    migrations,
    mode: 'migrate',
  });
  const blobs = await FsBlobStore.open(join(config.dataDir, 'blobs'));
  const app = await buildApp({
    config,
    database,
    blobs,
    logger: createLogger(config.logLevel),
    version: '0.0.0-test',
    ...options,
  });
  await app.ready();
  return {
    app,
    database,
    storage,
    async close() {
      await app.close();
      await database.close();
      await storage.dispose();
    },
  };
}
