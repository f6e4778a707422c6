import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { migrations as allMigrations } from './migrations/index.js';
import { FsBlobStore } from './platform/blob/fs-blob-store.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { type DataDirLock, lockDataDir } from './platform/lock/data-dir-lock.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly database: Database;
  /** The URL the server listens on, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  /** Stops accepting connections, drains in-flight requests, closes the database, frees the data dir. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  readonly migrations?: typeof allMigrations;
}

/** Locks the data dir, opens and migrates storage, builds the app and listens. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const cleanups: (() => Promise<void>)[] = [];
  let closing: Promise<void> | undefined;
  const cleanup = () =>
    (closing ??= (async () => {
      for (const step of [...cleanups].reverse()) {
        await step().catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown step failed');
        });
      }
    })());
  try {
    const lock: DataDirLock = await lockDataDir(config.dataDir);
    cleanups.push(() => lock.release());
    const database = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      migrations: options.migrations ?? allMigrations,
      mode: 'migrate',
      onMigrated: (applied) => {
        if (applied.length > 0) logger.info({ applied }, 'database migrated');
      },
    });
    cleanups.push(() => database.close());
    const blobs = await FsBlobStore.open(join(config.dataDir, 'blobs'));
    const app = await buildApp({ config, database, blobs, logger, version: options.version });
    cleanups.push(() => app.close());
    const address = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      database,
      url: address,
      close: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
