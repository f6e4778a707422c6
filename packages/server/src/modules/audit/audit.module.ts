import type { Kysely } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import { AuditLog } from './audit.log.js';
import { CheckpointScheduler, type SchedulerLogger } from './audit.scheduler.js';
import { AuditService } from './audit.service.js';
import { loadOrCreateAuditSigningKey } from './audit.signing-key.js';
import { PgAuditStore } from './audit.store.pg.js';

export interface AuditModuleOptions {
  readonly db: Kysely<Schema>;
  /** Holds `audit-signing.key`, created on first start. */
  readonly dataDir: string;
  readonly logger: SchedulerLogger;
  readonly checkpointIntervalMs?: number;
  readonly appendsPerCheckpoint?: number;
}

export interface AuditModule {
  /** For other modules: `log.append(scope, event)` inside their practice transaction. */
  readonly log: AuditLog;
  /** For the routes and the CLI: reading, proofs, checkpoints, verification. */
  readonly service: AuditService;
  /** Not started: the composition root calls `start()`, and `stop()` before the database closes. */
  readonly scheduler: CheckpointScheduler;
}

/** Wires the audit module: signing key, store, service, checkpoint scheduler and log. */
export async function createAuditModule(options: AuditModuleOptions): Promise<AuditModule> {
  const signer = await loadOrCreateAuditSigningKey(options.dataDir);
  const store = new PgAuditStore(options.db);
  const service = new AuditService(store, signer);
  const scheduler = new CheckpointScheduler(service, {
    logger: options.logger,
    ...(options.checkpointIntervalMs !== undefined && { intervalMs: options.checkpointIntervalMs }),
    ...(options.appendsPerCheckpoint !== undefined && { appendsPerCheckpoint: options.appendsPerCheckpoint }),
  });
  const log = new AuditLog(store, { onAppend: scheduler.noteAppend });
  return { log, service, scheduler };
}
