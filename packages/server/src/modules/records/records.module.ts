import type { Kysely } from 'kysely';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { Schema } from '../../platform/db/schema.js';
import { DirectoryService } from './directory.service.js';
import { DocumentsService } from './documents.service.js';
import { EntriesService } from './entries.service.js';
import { ErasureService } from './erasure.service.js';
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
}

export interface RecordsModule extends RecordsServices {
  readonly documents: DocumentsService;
}

/** Wires the records module: store, services. */
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
  };
}
