export { type RecordsModule, type RecordsModuleOptions, createRecordsModule } from './records.module.js';
export { type RecordsServices, recordsRoutes } from './records.routes.js';
export { documentsRoutes } from './documents.routes.js';
export type { RecordsAudit } from './records.audit.js';
export { RETENTION_YEARS, retentionUntil } from './retention.js';
export type { MaintenanceJob } from './maintenance.job.js';
