import type { records } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import { requirePatient } from './patients.service.js';
import { ciphertextHash, type RecordsAudit, recordsEvent } from './records.audit.js';
import type { RecordsStore } from './records.store.js';
import { entryView } from './records.views.js';
import { isoDay, retentionUntil } from './retention.js';

/**
 * Clinical entries (notes, diagnoses, medications; the kind is inside the ciphertext). Author and
 * time are set by the server. An entry counts as treatment: it moves the record's retention end.
 */
export class EntriesService {
  constructor(
    private readonly store: RecordsStore,
    private readonly audit: RecordsAudit,
    private readonly now: () => Date,
  ) {}

  add(auth: AuthContext, patientId: string, body: records.CreateEntryBody): Promise<records.EntryView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await requirePatient(tx, patientId, true);
      const entry = await tx.addEntry({ id: body.id, patientId, body: body.body, authorId: auth.userId });
      if (entry === undefined) throw new AppError('records.id_taken');
      const today = isoDay(this.now());
      await tx.setTreatment(patientId, today, retentionUntil(today));
      await this.audit.append(
        tx.scope,
        recordsEvent(auth, 'entry.added', body.id, ciphertextHash(body.body)),
      );
      return entryView(entry);
    });
  }

  list(auth: AuthContext, patientId: string): Promise<records.EntryView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await requirePatient(tx, patientId);
      return (await tx.entries(patientId)).map(entryView);
    });
  }
}
