import { type records } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { DocumentsService } from './documents.service.js';
import { requirePatient } from './patients.service.js';
import { ciphertextHash, type RecordsAudit, recordsEvent } from './records.audit.js';
import type { RecordsStore } from './records.store.js';
import { isoDay, underRetention } from './retention.js';

/**
 * Erasure by crypto-shredding (Löschkonzept): the wrapped data key, every version of the master
 * data, entries, documents (rows, then blobs), blind-index rows are deleted and the directory
 * entry becomes a tombstone, in one audited transaction. Records under their retention period
 * may be erased only by a primary user who states a reason; the reason is stored encrypted under
 * the practice key (the audit entry holds only its hash) with a coarse category in clear.
 */
export class ErasureService {
  constructor(
    private readonly store: RecordsStore,
    private readonly documents: DocumentsService,
    private readonly audit: RecordsAudit,
    private readonly now: () => Date,
  ) {}

  async erase(auth: AuthContext, id: string, body: records.EraseBody): Promise<void> {
    const blobs = await this.store.inPractice(auth.practiceId, async (tx) => {
      const patient = await requirePatient(tx, id, true);
      const retained = underRetention(patient.retentionUntil, isoDay(this.now()));
      if (retained && auth.role !== 'primary') throw new AppError('records.retention_active');
      if (retained && body.reason === undefined) throw new AppError('records.erasure_reason_required');
      const keys = await tx.deletePatient(id);
      await tx.putDirectoryEntry(id, null);
      await tx.addErasure({
        patientId: id,
        erasedBy: auth.userId,
        category: body.category,
        reason: body.reason ?? null,
        underRetention: retained,
      });
      await this.audit.append(
        tx.scope,
        recordsEvent(auth, 'patient.erased', id, body.reason && ciphertextHash(body.reason)),
      );
      return keys;
    });
    // After the commit: a crash here leaves blobs sealed under a key that no longer exists.
    await this.documents.discard(auth.practiceId, blobs);
  }

  list(auth: AuthContext): Promise<records.ErasureView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) =>
      (await tx.erasures()).map((e) => ({
        patientId: e.patientId,
        erasedAt: e.erasedAt.toISOString(),
        erasedBy: e.erasedBy,
        category: e.category,
        reason: e.reason as records.ErasureView['reason'],
        underRetention: e.underRetention,
      })),
    );
  }

  /** Records whose retention period is over: candidates for erasure (the retention job's list). */
  expired(auth: AuthContext): Promise<{ id: string; retentionUntil: string }[]> {
    return this.store.inPractice(auth.practiceId, (tx) => tx.expiredRetention(isoDay(this.now())));
  }
}
