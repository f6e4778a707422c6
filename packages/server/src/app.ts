import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory, fastify } from 'fastify';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import type { Config, TlsConfig } from './config/config.js';
import {
  accountsRoutes,
  createAccountsModule,
  credentialsRoutes,
  damagedDataAlarm,
  passkeysRoutes,
} from './modules/accounts/index.js';
import { membersRoutes } from './modules/accounts/index.js';
import { auditRoutes, createAuditModule } from './modules/audit/index.js';
import { diagnosticsRoutes, PgProbeStore } from './modules/diagnostics/index.js';
import {
  type MaintenanceJob,
  createRecordsModule,
  documentsRoutes,
  recordsRoutes,
} from './modules/records/index.js';

import { backupRepoRoutes, createBackupRepoModule } from './modules/backup-repo/index.js';
import { PgSystemStore, SystemService, systemRoutes } from './modules/system/index.js';
import { AppError } from './platform/app-error.js';
import type { BlobStore } from './platform/blob/blob-store.js';
import { BlobScrubber } from './platform/blob/blob-scrub.js';
import { OrphanBlobSweeper } from './platform/blob/orphan-sweep.js';
import type { Database } from './platform/db/database.js';
import { PgBlobDamageStore } from './platform/db/blob-damage.store.pg.js';
import { PgOrphanSweepStore } from './platform/db/orphan-sweep.store.pg.js';
import { registerApiDocs } from './platform/http/api-docs.js';
import { createAuthGuards } from './platform/http/auth-guard.js';
import {
  createClientErrorHandler,
  createFrameworkErrorHandler,
  handleError,
  sendNotFound,
  sendWebAppMissing,
} from './platform/http/error-handler.js';
import { registerJsonBodies } from './platform/http/json-body.js';
import { registerMetrics } from './platform/http/metrics.js';
import { errorAnswerSecurityHeaders, registerSecurityHeaders } from './platform/http/security-headers.js';
import { registerValidation } from './platform/http/validation.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The records maintenance job (the app starts it; tests run a pass with `runOnce`). */
    recordsMaintenance: MaintenanceJob;
    /** The sweeper of orphaned blobs (the app starts it; tests run a pass with `runOnce`). */
    blobSweeper: OrphanBlobSweeper;
    /** The integrity scrub of stored blobs (the app starts it; tests run a pass with `runOnce`). */
    blobScrubber: BlobScrubber;
  }
}

export interface AppDependencies {
  readonly config: Config;
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly logger: FastifyBaseLogger;
  readonly version: string;
  /** Time source for time-based checks such as TOTP; the system clock unless a test moves it. */
  readonly clock?: () => number;
}

/** Request bodies above this size are refused with 413 (uploads stream through their own routes). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Paths that never fall back to the web app. */
const API_PREFIXES = ['/api/', '/healthz', '/readyz', '/metrics', '/_matrix/'];

/**
 * Longest path parameter the router accepts (Fastify's default is 100): above the longest the
 * contract allows (a backup object name, 128 characters), so the route's schema judges it.
 */
export const MAX_PARAM_LENGTH = 256;

/** The composition root: wires stores into services and services into routes. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, database, logger, version } = deps;
  const securityHeaders = errorAnswerSecurityHeaders(config.tls !== undefined);
  const app = fastify({
    loggerInstance: logger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors met before any hook runs (bad URL, malformed HTTP) get the contract's error body too.
    frameworkErrors: createFrameworkErrorHandler(securityHeaders),
    clientErrorHandler: createClientErrorHandler(logger, securityHeaders),
    // Only named proxies may set the client IP (login throttling and rate limits count by it).
    ...(config.trustedProxies.length > 0 && { trustProxy: [...config.trustedProxies] }),
    ...(config.tls && { serverFactory: tlsServerFactory(config.tls) }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerValidation(app);
  registerJsonBodies(app);
  app.setErrorHandler(handleError);
  // The web app is served only if it is built; without it a page request gets a JSON 404 saying so.
  const webDir = config.webDir !== undefined && existsSync(config.webDir) ? config.webDir : undefined;
  const webAppBuilt = webDir !== undefined && existsSync(join(webDir, 'index.html'));
  app.setNotFoundHandler(async (request, reply) => {
    const wantsPage =
      request.method === 'GET' &&
      config.webDir !== undefined &&
      !API_PREFIXES.some((prefix) => request.url.startsWith(prefix)) &&
      (request.headers.accept ?? '').includes('text/html');
    if (!wantsPage) return sendNotFound(request, reply);
    if (!webAppBuilt) return sendWebAppMissing(request, reply);
    return reply.sendFile('index.html');
  });

  await registerSecurityHeaders(app, config.tls !== undefined);
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    errorResponseBuilder: () => new AppError('request.rate_limited'),
  });
  await registerApiDocs(app, version);
  registerMetrics(app);

  const systemService = new SystemService(new PgSystemStore(database.db), {
    version,
    storage: database.kind,
    knownMigrations: Object.keys(database.migrations),
  });
  await app.register(systemRoutes(systemService));

  const audit = await createAuditModule({ db: database.db, dataDir: config.dataDir, logger });
  audit.scheduler.start();
  app.addHook('onClose', () => audit.scheduler.stop());
  const accounts = await createAccountsModule({
    db: database.db,
    dataDir: config.dataDir,
    audit: audit.log,
    logger,
    alarmWebhook: config.alarmWebhook,
    publicUrl: config.publicUrl,
    ...(deps.clock && { clock: deps.clock }),
  });
  const guards = createAuthGuards(accounts.sessions);
  await app.register(accountsRoutes(accounts, guards));
  await app.register(credentialsRoutes(accounts, guards));
  await app.register(membersRoutes(accounts, guards));
  await app.register(passkeysRoutes(accounts.passkeys, guards));
  await app.register(auditRoutes(audit.service, guards));
  const clock = deps.clock;
  const records = createRecordsModule({
    db: database.db,
    blobs: deps.blobs,
    audit: audit.log,
    practiceIds: () => accounts.practices.ids(),
    logger,
    ...(clock && { now: () => new Date(clock()) }),
  });
  app.decorate('recordsMaintenance', records.maintenance);
  records.maintenance.start();
  app.addHook('onClose', () => records.maintenance.stop());
  await app.register(recordsRoutes(records, guards));
  await app.register(documentsRoutes(records.documents, guards));
  const backupRepo = createBackupRepoModule({
    db: database.db,
    blobs: deps.blobs,
    audit: audit.log,
    lockDays: config.backupLockDays,
    quotaBytes: config.backupQuotaBytes,
    retentionLockSeconds: config.backupRetentionLockSeconds,
    ...(clock && { now: () => new Date(clock()) }),
  });
  await app.register(backupRepoRoutes(backupRepo, guards));
  if (config.diagnostics) {
    await app.register(diagnosticsRoutes(new PgProbeStore(database.db)));
  }

  if (webDir !== undefined) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: 'index.html' });
  }
  if (config.webDir !== undefined && !webAppBuilt) {
    logger.warn({ webDir: config.webDir }, 'web app not built; run "npm run build" to serve it');
  }

  // Blobs a crash left unrecorded: swept once now (in the background) and then daily.
  const blobSweeper = new OrphanBlobSweeper(deps.blobs, new PgOrphanSweepStore(database.db), { logger });
  app.decorate('blobSweeper', blobSweeper);
  blobSweeper.start();
  app.addHook('onClose', () => blobSweeper.stop());
  // Every stored blob read and checked against its hash: weekly, the first pass an hour after start.
  const blobScrubber = new BlobScrubber(deps.blobs, new PgBlobDamageStore(database.db), {
    logger,
    alarm: (practiceId, files) => accounts.alarms.raise(practiceId, damagedDataAlarm(files)),
    bytesPerSecond: config.scrubMibPerSecond * 1024 * 1024,
  });
  app.decorate('blobScrubber', blobScrubber);
  blobScrubber.start();
  app.addHook('onClose', () => blobScrubber.stop());
  return app;
}

/** HTTPS with TLS 1.3 only. Fastify types its raw server as http.Server; https.Server serves the same API. */
function tlsServerFactory(tls: TlsConfig): FastifyServerFactory {
  return (handler) => createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' }, handler);
}
