export { type AppendedEntry, type AuditEvent, AuditLog, type AuditLogOptions } from './audit.log.js';
export { type AuditModule, type AuditModuleOptions, createAuditModule } from './audit.module.js';
export { auditRoutes } from './audit.routes.js';
export {
  CheckpointScheduler,
  type CheckpointSchedulerOptions,
  type SchedulerLogger,
} from './audit.scheduler.js';
export { AuditService, type CheckpointOutcome } from './audit.service.js';
export {
  AUDIT_SIGNING_KEY_FILE,
  loadAuditSigningKey,
  loadOrCreateAuditSigningKey,
} from './audit.signing-key.js';
export type { AuditHead, AuditStore, StoredCheckpoint } from './audit.store.js';
export { PgAuditStore } from './audit.store.pg.js';
export {
  AUDIT_TAMPERED_EXIT_CODE,
  AuditVerifyUsageError,
  describeAuditVerification,
  verifyPracticeAuditTrail,
} from './audit.cli.js';
