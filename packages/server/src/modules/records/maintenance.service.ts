import type { RecordsAudit, RecordsAction } from './records.audit.js';
import type { RecordsStore } from './records.store.js';
import type { DocumentsService } from './documents.service.js';
import { isoDay } from './retention.js';

/** What one maintenance pass found and did in one practice. */
export interface PracticeMaintenance {
  readonly practiceId: string;
  /** Ids of records whose retention period has ended (listed for a primary user to decide). */
  readonly expiredRecords: readonly string[];
  /** Ids of uploads abandoned before completion and deleted with their chunks. */
  readonly abandonedUploads: readonly string[];
}

export interface MaintenanceOptions {
  readonly now: () => Date;
  /** An upload still open this long after it started is abandoned (default 7 days). */
  readonly abandonUploadsAfterMs: number;
}

/**
 * The records module's scheduled housekeeping for one practice: lists the records whose legal
 * retention has ended (audited as `retention.expired_listed`, so a primary user sees in the
 * trail that erasure is due; deciding stays with them) and deletes uploads that were never
 * completed (audited as `document.upload_abandoned`), freeing their blobs.
 */
export class MaintenanceService {
  constructor(
    private readonly store: RecordsStore,
    private readonly documents: DocumentsService,
    private readonly audit: RecordsAudit,
    private readonly options: MaintenanceOptions,
  ) {}

  async run(practiceId: string): Promise<PracticeMaintenance> {
    const now = this.options.now();
    const staleBefore = new Date(now.getTime() - this.options.abandonUploadsAfterMs);
    const event = (action: RecordsAction, targetId: string) => ({ practiceId, action, targetId });
    const { expired, abandoned, blobs } = await this.store.inPractice(practiceId, async (tx) => {
      const expiredRecords = await tx.expiredRetention(isoDay(now));
      if (expiredRecords.length > 0) {
        await this.audit.append(tx.scope, event('retention.expired_listed', practiceId));
      }
      const abandonedIds: string[] = [];
      const keys = [];
      for (const documentId of await tx.staleUploads(staleBefore)) {
        const deleted = await tx.deleteUpload(documentId);
        if (deleted === undefined) continue; // completed since it was listed
        abandonedIds.push(documentId);
        keys.push(...deleted);
        await this.audit.append(tx.scope, event('document.upload_abandoned', documentId));
      }
      return { expired: expiredRecords.map((r) => r.id), abandoned: abandonedIds, blobs: keys };
    });
    // After the commit: a blob goes only when no chunk of the practice refers to it any more.
    if (blobs.length > 0) await this.documents.discard(practiceId, blobs);
    return { practiceId, expiredRecords: expired, abandonedUploads: abandoned };
  }
}
