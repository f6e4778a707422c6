import type { Kysely } from 'kysely';
import { backup } from '@tresor/sdk/contract';
import type { BlobStore } from '../../platform/blob/blob-store.js';
import type { Schema } from '../../platform/db/schema.js';
import { type BackupRepoAudit, BackupRepoService } from './backup-repo.service.js';
import { PgBackupRepoStore } from './backup-repo.store.pg.js';

export interface BackupRepoModuleOptions {
  readonly db: Kysely<Schema>;
  readonly blobs: BlobStore;
  readonly audit: BackupRepoAudit;
  readonly lockDays: number;
  readonly quotaBytes: number;
  /** Seconds a cloud retention lock lives unless extended (TRESOR_BACKUP_RETENTION_LOCK_SECONDS). */
  readonly retentionLockSeconds: number;
  readonly now?: () => Date;
}

export function createBackupRepoModule(options: BackupRepoModuleOptions): BackupRepoService {
  return new BackupRepoService(
    new PgBackupRepoStore(options.db),
    options.blobs,
    options.audit,
    {
      lockDays: options.lockDays,
      quotaBytes: options.quotaBytes,
      maxObjectBytes: backup.MAX_OBJECT_BYTES,
      retentionLockSeconds: options.retentionLockSeconds,
    },
    options.now,
  );
}
