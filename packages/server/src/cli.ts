#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, describeConfig, loadConfig } from './config/config.js';
import { migrations } from './migrations/index.js';
import {
  AUDIT_TAMPERED_EXIT_CODE,
  AuditVerifyUsageError,
  describeAuditVerification,
  verifyPracticeAuditTrail,
} from './modules/audit/index.js';
import { describeBlobScrub, scrubBlobs } from './platform/blob/blob-scrub.js';
import { FsBlobStore } from './platform/blob/fs-blob-store.js';
import {
  DEFAULT_ORPHAN_GRACE_MS,
  describeOrphanSweep,
  sweepOrphanBlobs,
} from './platform/blob/orphan-sweep.js';
import { PgBlobDamageStore } from './platform/db/blob-damage.store.pg.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { PgOrphanSweepStore } from './platform/db/orphan-sweep.store.pg.js';
import { lockDataDir } from './platform/lock/data-dir-lock.js';
import { createLogger } from './platform/log/logger.js';
import { StartupError } from './platform/startup-error.js';
import { startServer } from './server.js';
import { readServerVersion } from './version.js';

const ENVIRONMENT_HELP = `
Settings (environment variables):
  TRESOR_DATA_DIR     data directory (default ./data): embedded database, blobs, lock
  DATABASE_URL        postgres://user:password@host:port/db; unset = embedded PGlite
  HOST, PORT          listen address (default 127.0.0.1:8080)
  TRESOR_TLS_CERT     PEM certificate file; with TRESOR_TLS_KEY serves HTTPS, TLS 1.3 only
  TRESOR_TLS_KEY      PEM private key file
  LOG_LEVEL           fatal|error|warn|info|debug|trace|silent (default info)
  TRESOR_RATE_LIMIT   requests per minute and client IP (default 1200)
  TRESOR_DIAGNOSTICS  true enables the unauthenticated probe routes (tests only)
  TRESOR_WEB_DIR      directory of the built web app (default packages/web/dist)
  TRESOR_ALARM_WEBHOOK  http(s) URL receiving security alarms as JSON POSTs (optional)
  TRESOR_TRUST_PROXY  reverse proxies whose X-Forwarded-For gives the client IP: addresses,
                      CIDR ranges, loopback|linklocal|uniquelocal, comma-separated (default none)
  TRESOR_PUBLIC_URL   where users reach the web app (default http://localhost:PORT); passkeys
                      are bound to its host name
  TRESOR_BACKUP_LOCK_DAYS  days a cloud backup object cannot be deleted by anyone (default 30)
  TRESOR_BACKUP_QUOTA_GB   cloud backup storage per practice in GiB (default 100)
  TRESOR_BACKUP_RETENTION_LOCK_SECONDS  life of a cloud retention run's lock unless the run
                      extends it (default 600); nobody else stores backup objects meanwhile
  TRESOR_SCRUB_MB_PER_SECOND  read rate of the weekly integrity check of stored blobs
                      (default 50; \`tresor blobs scrub\` reads at full speed)

Exit codes: 0 ok, 1 failed to start or run, 2 invalid configuration or usage.`;

function configFromEnvironment() {
  const defaultWebDir = resolve(fileURLToPath(new URL('../../web/dist', import.meta.url)));
  return loadConfig(process.env, { webDir: defaultWebDir });
}

async function serve(): Promise<void> {
  const config = configFromEnvironment();
  const logger = createLogger(config.logLevel);
  const version = readServerVersion();
  logger.info({ config: describeConfig(config), version }, 'starting Tresor');
  const server = await startServer({ config, logger, version });
  const storage = server.database.kind === 'embedded' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL';
  process.stderr.write(
    `Tresor ${version} is running at ${server.url}  (storage: ${storage}; stop with Ctrl+C)\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write('Forced exit.\n');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests, closing storage');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function migrate(): Promise<void> {
  const config = configFromEnvironment();
  const lock = await lockDataDir(config.dataDir);
  try {
    const database = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      migrations,
      mode: 'migrate',
      onMigrated: (applied) => {
        process.stdout.write(
          applied.length === 0 ? 'Database schema is current.\n' : `Applied: ${applied.join(', ')}\n`,
        );
      },
    });
    await database.close();
  } finally {
    await lock.release();
  }
}

interface AuditVerifyFlags {
  readonly practice: string;
  readonly json?: boolean;
  readonly publicKey?: string;
  readonly remembered?: string;
}

function practiceIdArgument(value: string): string {
  const id = value.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new InvalidArgumentError('not a UUID');
  }
  return id;
}

async function auditVerify(flags: AuditVerifyFlags): Promise<void> {
  const config = configFromEnvironment();
  // Embedded PGlite admits one process at a time; a PostgreSQL database can be checked while serving.
  const lock = config.databaseUrl === undefined ? await lockDataDir(config.dataDir) : undefined;
  try {
    const database = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      migrations,
      mode: 'require-current',
    });
    try {
      const result = await verifyPracticeAuditTrail(database, {
        practiceId: flags.practice,
        dataDir: config.dataDir,
        publicKey: flags.publicKey,
        rememberedFile: flags.remembered,
      });
      process.stdout.write(
        flags.json === true
          ? `${JSON.stringify(result, null, 2)}\n`
          : describeAuditVerification(flags.practice, result),
      );
      if (!result.ok) process.exitCode = AUDIT_TAMPERED_EXIT_CODE;
    } finally {
      await database.close();
    }
  } catch (error) {
    if (!(error instanceof AuditVerifyUsageError)) throw error;
    process.stderr.write(`tresor: ${error.message}\n`);
    process.exitCode = 2;
  } finally {
    await lock?.release();
  }
}

interface BlobsSweepFlags {
  readonly graceHours: number;
  readonly json?: boolean;
}

function graceHoursArgument(value: string): number {
  const hours = Number(value);
  if (value.trim() === '' || !Number.isFinite(hours) || hours < 0) {
    throw new InvalidArgumentError('not a number of hours (0 or more)');
  }
  return hours;
}

/** Runs `work` with the data directory locked, the database open and the blob store. */
async function withBlobStore(work: (blobs: FsBlobStore, database: Database) => Promise<void>): Promise<void> {
  const config = configFromEnvironment();
  // Always: the blob store is in the data directory, and opening it removes unfinished uploads.
  const lock = await lockDataDir(config.dataDir);
  try {
    const database = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      migrations,
      mode: 'require-current',
    });
    try {
      await work(await FsBlobStore.open(join(config.dataDir, 'blobs')), database);
    } finally {
      await database.close();
    }
  } finally {
    await lock.release();
  }
}

async function blobsSweep(flags: BlobsSweepFlags): Promise<void> {
  await withBlobStore(async (blobs, database) => {
    const graceMs = flags.graceHours * 60 * 60 * 1000;
    const summary = await sweepOrphanBlobs(blobs, new PgOrphanSweepStore(database.db), { graceMs });
    process.stdout.write(
      flags.json === true ? `${JSON.stringify(summary, null, 2)}\n` : describeOrphanSweep(summary, graceMs),
    );
  });
}

async function blobsScrub(flags: { json?: boolean }): Promise<void> {
  await withBlobStore(async (blobs, database) => {
    const summary = await scrubBlobs(blobs, new PgBlobDamageStore(database.db));
    process.stdout.write(
      flags.json === true ? `${JSON.stringify(summary, null, 2)}\n` : describeBlobScrub(summary),
    );
    if (summary.damaged > 0) process.exitCode = 3;
  });
}

export function buildCli(): Command {
  const program = new Command('tresor')
    .description('Tresor: zero-knowledge platform for medical practices')
    .version(readServerVersion(), '-v, --version', 'print the version')
    .addHelpText('after', ENVIRONMENT_HELP)
    .exitOverride();
  program
    .command('serve')
    .description('start the server: JSON API, web app, health and metrics endpoints')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(serve);
  program
    .command('migrate')
    .description('apply pending database migrations and exit (serve also does this on start)')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(migrate);
  program
    .command('audit')
    .description('tamper-evident audit trail')
    .command('verify')
    .description("verify a practice's audit trail: hash chain, sequence, signed checkpoints")
    .requiredOption('--practice <uuid>', 'the practice whose trail to verify', practiceIdArgument)
    .option('--json', 'print the result as JSON')
    .option('--public-key <base64url>', 'checkpoint signing key (default: the one in the data directory)')
    .option('--remembered <file>', 'a checkpoint saved from an earlier verification (JSON)')
    .addHelpText(
      'after',
      '\nExit codes: 0 intact, 3 tampering detected, 1 failed to run, 2 invalid usage.\n' +
        'With embedded PGlite, stop the server first; PostgreSQL can be verified while serving.',
    )
    .action(auditVerify);
  const blobs = program
    .command('blobs')
    .description('the blob store (document chunks, cloud backup objects)');
  blobs
    .command('sweep')
    .description('delete blobs that nothing refers to (left by a crash); serve does this at start and daily')
    .option(
      '--grace-hours <hours>',
      'leave blobs written within this many hours alone',
      graceHoursArgument,
      DEFAULT_ORPHAN_GRACE_MS / (60 * 60 * 1000),
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nStop the server first (the data directory is locked while it runs); with nothing being\n' +
        'uploaded then, --grace-hours 0 is safe.\n' +
        'Exit codes: 0 done, 1 failed to run, 2 invalid usage.',
    )
    .action(blobsSweep);
  blobs
    .command('scrub')
    .description(
      'read every blob and check it against its hash; record damaged ones (serve does this weekly)',
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nA damaged cloud backup object is listed to its agent, whose `tresor-backup replicate --repair`\n' +
        'stores it again. Stop the server first (the data directory is locked while it runs).\n' +
        'Exit codes: 0 no damage, 3 damaged blobs found, 1 failed to run, 2 invalid usage.',
    )
    .action(blobsScrub);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError) {
      process.stderr.write(`tresor: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof StartupError) {
      process.stderr.write(`tresor: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(describeFailure(error, process.env.LOG_LEVEL));
    process.exit(1);
  }
}

/**
 * Any other failure (port in use, an unreadable key file, a bug) as one line for the operator;
 * the stack trace only with LOG_LEVEL=debug or trace.
 */
function describeFailure(error: unknown, logLevel: string | undefined): string {
  const { code, syscall, address, port } = (error ?? {}) as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  const debug = logLevel === 'debug' || logLevel === 'trace';
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
  if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')) {
    const reason = {
      EADDRINUSE: 'the port is in use by another process',
      EACCES: 'no permission to use the port',
      EADDRNOTAVAIL: 'the address is not one of this machine',
    }[code];
    const where = address === undefined ? '' : ` ${address}${port === undefined ? '' : `:${port}`}`;
    return `tresor: cannot listen on${where}: ${reason} (${code}); set HOST and PORT\n${stack}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]?.trim() ?? '';
  const line = first !== '' ? first : error instanceof Error ? error.name : 'unknown error';
  const hint = debug ? '' : ' (LOG_LEVEL=debug shows the stack trace)';
  return `tresor: failed: ${line}${code === undefined ? '' : ` (${code})`}${hint}\n${stack}`;
}

await main(process.argv);
