import type { Kysely } from 'kysely';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { Schema } from '../../platform/db/schema.js';
import { DirectoryService } from './directory.service.js';
import { DocumentsService } from './documents.service.js';
import { EntriesService } from './entries.service.js';
import { ErasureService } from './erasure.service.js';
import { type JobLogger, MaintenanceJob } from './maintenance.job.js';
import { MaintenanceService } from './maintenance.service.js';
import { PatientsService } from './patients.service.js';
import type { RecordsAudit } from './records.audit.js';
import type { RecordsServices } from './records.routes.js';
import { PgRecordsStore } from './records.store.pg.js';

export interface RecordsModuleOptions {
  readonly db: Kysely<Schema>;
  readonly blobs: BlobStore;
  readonly audit: RecordsAudit;
  /** Time source for treatment dates and retention; the system clock unless a test moves it. */
  readonly now?: () => Date;
  /** For the daily maintenance job: every practice's id, and where it logs. */
  readonly practiceIds: () => Promise<string[]>;
  readonly logger: JobLogger;
  /** An upload still open this many days after it started is deleted (default 7). */
  readonly abandonUploadsAfterDays?: number;
}

export interface RecordsModule extends RecordsServices {
  readonly documents: DocumentsService;
  /** Daily: lists records whose retention ended, deletes abandoned uploads. Started by the app. */
  readonly maintenance: MaintenanceJob;
}

/** Wires the records module: store, services, the maintenance job. */
export function createRecordsModule(options: RecordsModuleOptions): RecordsModule {
  const store = new PgRecordsStore(options.db);
  const now = options.now ?? (() => new Date());
  const documents = new DocumentsService(store, options.blobs, options.audit, now);
  return {
    patients: new PatientsService(store, options.audit),
    entries: new EntriesService(store, options.audit, now),
    directory: new DirectoryService(store),
    erasure: new ErasureService(store, documents, options.audit, now),
    documents,
    maintenance: new MaintenanceJob(
      new MaintenanceService(store, documents, options.audit, {
        now,
        abandonUploadsAfterMs: (options.abandonUploadsAfterDays ?? 7) * 24 * 60 * 60 * 1000,
      }),
      { logger: options.logger, practiceIds: options.practiceIds },
    ),
  };
}
