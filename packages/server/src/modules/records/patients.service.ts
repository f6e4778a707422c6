import { pkVersionOfKid } from '@tresor/crypto';
import type { records } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import { ciphertextHash, type RecordsAudit, recordsEvent } from './records.audit.js';
import type { RecordsStore, RecordsTx } from './records.store.js';
import type { BlindIndexRow, Patient } from './records.types.js';
import { patientView } from './records.views.js';

/** The practice-key version a wrapped data key names (`pk.v<n>`); anything else is refused. */
function wrapVersion(dataKey: { kid: string }): number {
  const version = pkVersionOfKid(dataKey.kid);
  if (version === undefined)
    throw new AppError('request.invalid', 'The data key must be wrapped by a practice key.');
  return version;
}

function indexRows(body: records.BlindIndexBody): BlindIndexRow[] {
  const rows: BlindIndexRow[] = [{ field: 'name_dob', pkVersion: body.pkVersion, value: body.nameDob }];
  if (body.kvnr !== null) rows.push({ field: 'kvnr', pkVersion: body.pkVersion, value: body.kvnr });
  return rows;
}

export async function requirePatient(tx: RecordsTx, id: string, lock = false): Promise<Patient> {
  const patient = await tx.patient(id, { lock });
  if (patient === undefined) throw new AppError('records.not_found');
  return patient;
}

/**
 * An erased record must not come back under its id (ids are random and chosen by the client, so
 * only a replayed or restored record reuses one). Checked after the insert, which waits for an
 * erasure of the same id still under way: by then its log entry is committed and visible here.
 */
async function refuseErasedIds(tx: RecordsTx, ids: readonly string[]): Promise<void> {
  if ((await tx.erasedIds(ids)).length > 0) throw new AppError('records.id_erased');
}

/**
 * Patients: creation, reading, versioned updates with optimistic concurrency, history, the
 * blind index and directory entry that go with each write, and the wrapped data key (with
 * compare-and-swap re-wrapping after a practice-key rotation). Any active member may read and
 * write; every write is audited in its transaction with the hash of the stored ciphertext.
 */
export class PatientsService {
  constructor(
    private readonly store: RecordsStore,
    private readonly audit: RecordsAudit,
  ) {}

  create(auth: AuthContext, body: records.CreatePatientBody): Promise<records.PatientView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await this.add(tx, auth, body);
      return patientView(await requirePatient(tx, body.id));
    });
  }

  /** Creates up to 500 patients in one transaction (all or none), each audited like a single create. */
  import(auth: AuthContext, body: records.ImportPatientsBody): Promise<string[]> {
    const rows = body.patients.map((p) => ({
      id: p.id,
      dataKey: p.dataKey,
      dataKeyPkVersion: wrapVersion(p.dataKey),
      master: p.master,
      by: auth.userId,
      index: indexRows(p.blindIndex),
      directory: p.directory,
    }));
    if (new Set(rows.map((r) => r.id)).size !== rows.length) throw new AppError('records.id_taken');
    return this.store.inPractice(auth.practiceId, async (tx) => {
      if (!(await tx.addPatients(rows))) throw new AppError('records.id_taken');
      const ids = rows.map((r) => r.id);
      await refuseErasedIds(tx, ids);
      for (const p of body.patients) {
        await this.audit.append(
          tx.scope,
          recordsEvent(auth, 'patient.created', p.id, ciphertextHash(p.master, p.dataKey)),
        );
      }
      return ids;
    });
  }

  private async add(tx: RecordsTx, auth: AuthContext, body: records.CreatePatientBody): Promise<void> {
    const added = await tx.addPatient({
      id: body.id,
      dataKey: body.dataKey,
      dataKeyPkVersion: wrapVersion(body.dataKey),
      master: body.master,
      by: auth.userId,
    });
    if (!added) throw new AppError('records.id_taken');
    await refuseErasedIds(tx, [body.id]);
    await tx.setBlindIndex(body.id, indexRows(body.blindIndex));
    await tx.putDirectoryEntry(body.id, body.directory);
    await this.audit.append(
      tx.scope,
      recordsEvent(auth, 'patient.created', body.id, ciphertextHash(body.master, body.dataKey)),
    );
  }

  get(auth: AuthContext, id: string): Promise<records.PatientView> {
    return this.store.inPractice(auth.practiceId, async (tx) => patientView(await requirePatient(tx, id)));
  }

  /** A new version of the master data, if the caller saw the current one (else records.version_conflict). */
  update(auth: AuthContext, id: string, body: records.UpdatePatientBody): Promise<records.PatientView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const patient = await requirePatient(tx, id, true);
      if (patient.version !== body.expectedVersion) throw new AppError('records.version_conflict');
      const version = patient.version + 1;
      await tx.addVersion(id, version, body.master, auth.userId);
      await tx.setCurrentVersion(id, version, auth.userId);
      await tx.setBlindIndex(id, indexRows(body.blindIndex));
      await tx.putDirectoryEntry(id, body.directory);
      await this.audit.append(
        tx.scope,
        recordsEvent(auth, 'patient.updated', id, ciphertextHash(body.master)),
      );
      return patientView(await requirePatient(tx, id));
    });
  }

  history(auth: AuthContext, id: string): Promise<records.PatientVersions> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await requirePatient(tx, id);
      const versions = await tx.versions(id);
      return {
        versions: versions.map((v) => ({
          version: v.version,
          master: v.master as records.RecordEnvelope,
          changedAt: v.changedAt.toISOString(),
          changedBy: v.changedBy,
        })),
      };
    });
  }

  /** Replaces the blind index and directory entry (after a key rotation, or to repair them). */
  updateIndex(auth: AuthContext, id: string, body: records.UpdateIndexBody): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await requirePatient(tx, id, true);
      await tx.setBlindIndex(id, indexRows(body.blindIndex));
      await tx.putDirectoryEntry(id, body.directory);
      await this.audit.append(
        tx.scope,
        recordsEvent(auth, 'patient.index_updated', id, ciphertextHash(body.directory)),
      );
    });
  }

  dataKeys(auth: AuthContext, after: string | undefined, limit: number): Promise<records.DataKeysPage> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const keys = await tx.dataKeys(after, limit);
      return {
        keys: keys.map((k) => ({
          patientId: k.patientId,
          dataKey: k.dataKey as records.PatientView['dataKey'],
        })),
        next: keys.length === limit ? (keys.at(-1)?.patientId ?? null) : null,
      };
    });
  }

  /** Stores `next` only if the patient still holds `previous` (a concurrent re-wrap wins). */
  replaceDataKey(auth: AuthContext, id: string, body: records.ReplaceDataKeyBody): Promise<boolean> {
    const pkVersion = wrapVersion(body.next);
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await requirePatient(tx, id, true);
      const replaced = await tx.replaceDataKey(id, body.previous, body.next, pkVersion);
      if (replaced) {
        await this.audit.append(
          tx.scope,
          recordsEvent(auth, 'patient.data_key_rewrapped', id, ciphertextHash(body.next)),
        );
      }
      return replaced;
    });
  }
}
