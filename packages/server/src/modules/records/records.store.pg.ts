import { type Kysely, type Selectable, sql } from 'kysely';
import { type BlobKey, parseBlobKey } from '../../platform/blob/blob-store.js';
import type { DocumentTable, PatientErasureTable, Schema } from '../../platform/db/schema.js';
import { type PracticeScope, withPractice } from '../../platform/db/tenant.js';
import { damagedAmong } from '../../platform/db/blob-damage.store.pg.js';
import { blobReferenced, lockBlobKeys } from '../../platform/db/blob-lock.js';
import type { NewPatient, RecordsStore, RecordsTx } from './records.store.js';
import type {
  BlindIndexField,
  BlindIndexRow,
  ClinicalEntry,
  DirectoryChange,
  Erasure,
  ErasureCategory,
  Patient,
  PatientVersion,
  StoredChunk,
  StoredDocument,
} from './records.types.js';

/** Note: no query filters by practice itself (except inserts); row-level security does. */
export class PgRecordsStore implements RecordsStore {
  constructor(private readonly db: Kysely<Schema>) {}

  inPractice<T>(practiceId: string, work: (tx: RecordsTx) => Promise<T>): Promise<T> {
    return withPractice(this.db, practiceId, (scope) => work(new PgRecordsTx(scope, practiceId)));
  }

  async lookup(
    practiceId: string,
    field: BlindIndexField,
    terms: readonly { pkVersion: number; value: number }[],
  ): Promise<string[]> {
    const { rows } = await sql<{ patient_id: string }>`
      select patient_id from blind_index_lookup(${practiceId}::uuid, ${field},
        ${terms.map((t) => t.pkVersion)}::integer[], ${terms.map((t) => t.value)}::integer[])`.execute(
      this.db,
    );
    return rows.map((r) => r.patient_id);
  }
}

const isoDate = (column: string) => sql<string | null>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;

class PgRecordsTx implements RecordsTx {
  constructor(
    readonly scope: PracticeScope,
    private readonly practiceId: string,
  ) {}

  async addPatient(patient: NewPatient): Promise<boolean> {
    const result = await this.scope
      .insertInto('patients')
      .values({
        practice_id: this.practiceId,
        id: patient.id,
        current_version: 1,
        data_key: JSON.stringify(patient.dataKey),
        data_key_pk_version: patient.dataKeyPkVersion,
        created_by: patient.by,
        updated_by: patient.by,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if ((result.numInsertedOrUpdatedRows ?? 0n) === 0n) return false;
    await this.addVersion(patient.id, 1, patient.master, patient.by);
    return true;
  }

  async addPatients(
    patients: readonly (NewPatient & { index: readonly BlindIndexRow[]; directory: unknown })[],
  ): Promise<boolean> {
    const inserted = await this.scope
      .insertInto('patients')
      .values(
        patients.map((p) => ({
          practice_id: this.practiceId,
          id: p.id,
          current_version: 1,
          data_key: JSON.stringify(p.dataKey),
          data_key_pk_version: p.dataKeyPkVersion,
          created_by: p.by,
          updated_by: p.by,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    if (inserted.length !== patients.length) return false;
    await this.scope
      .insertInto('patient_versions')
      .values(
        patients.map((p) => ({
          practice_id: this.practiceId,
          patient_id: p.id,
          version: 1,
          master: JSON.stringify(p.master),
          changed_by: p.by,
        })),
      )
      .execute();
    const index = patients.flatMap((p) =>
      p.index.map((r) => ({
        practice_id: this.practiceId,
        patient_id: p.id,
        field: r.field,
        pk_version: r.pkVersion,
        value: r.value,
      })),
    );
    if (index.length > 0) await this.scope.insertInto('patient_blind_index').values(index).execute();
    const head = await this.scope
      .insertInto('directory_heads')
      .values({ practice_id: this.practiceId, seq: patients.length })
      .onConflict((oc) =>
        oc.column('practice_id').doUpdateSet({ seq: sql`directory_heads.seq + ${patients.length}` }),
      )
      .returning('seq')
      .executeTakeFirstOrThrow();
    const first = Number(head.seq) - patients.length + 1;
    await this.scope
      .insertInto('directory_entries')
      .values(
        patients.map((p, i) => ({
          practice_id: this.practiceId,
          patient_id: p.id,
          seq: first + i,
          entry: JSON.stringify(p.directory),
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['practice_id', 'patient_id'])
          .doUpdateSet((eb) => ({ seq: eb.ref('excluded.seq'), entry: eb.ref('excluded.entry') })),
      )
      .execute();
    return true;
  }

  async erasedIds(patientIds: readonly string[]): Promise<string[]> {
    if (patientIds.length === 0) return [];
    const rows = await this.scope
      .selectFrom('patient_erasures')
      .select('patient_id')
      .where('patient_id', 'in', patientIds)
      .execute();
    return rows.map((r) => r.patient_id);
  }

  async holdPatient(id: string): Promise<boolean> {
    const row = await this.scope
      .selectFrom('patients')
      .select('id')
      .where('id', '=', id)
      .forKeyShare()
      .executeTakeFirst();
    return row !== undefined;
  }

  async patient(id: string, options: { lock?: boolean } = {}): Promise<Patient | undefined> {
    let query = this.scope
      .selectFrom('patients as p')
      .innerJoin('patient_versions as v', (join) =>
        join.onRef('v.patient_id', '=', 'p.id').onRef('v.version', '=', 'p.current_version'),
      )
      .select([
        'p.id',
        'p.current_version',
        'p.data_key',
        'p.data_key_pk_version',
        'v.master',
        'p.created_at',
        'p.created_by',
        'p.updated_at',
        'p.updated_by',
        isoDate('p.last_treatment').as('last_treatment'),
        isoDate('p.retention_until').as('retention_until'),
      ])
      .where('p.id', '=', id);
    if (options.lock === true) query = query.forUpdate('p');
    const row = await query.executeTakeFirst();
    return (
      row && {
        id: row.id,
        version: row.current_version,
        dataKey: row.data_key,
        dataKeyPkVersion: row.data_key_pk_version,
        master: row.master,
        createdAt: row.created_at,
        createdBy: row.created_by,
        updatedAt: row.updated_at,
        updatedBy: row.updated_by,
        lastTreatment: row.last_treatment,
        retentionUntil: row.retention_until,
      }
    );
  }

  async addVersion(patientId: string, version: number, master: unknown, by: string): Promise<void> {
    await this.scope
      .insertInto('patient_versions')
      .values({
        practice_id: this.practiceId,
        patient_id: patientId,
        version,
        master: JSON.stringify(master),
        changed_by: by,
      })
      .execute();
  }

  async setCurrentVersion(patientId: string, version: number, by: string): Promise<void> {
    await this.scope
      .updateTable('patients')
      .set({ current_version: version, updated_at: new Date(), updated_by: by })
      .where('id', '=', patientId)
      .execute();
  }

  async versions(patientId: string): Promise<PatientVersion[]> {
    const rows = await this.scope
      .selectFrom('patient_versions')
      .select(['version', 'master', 'changed_at', 'changed_by'])
      .where('patient_id', '=', patientId)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      version: r.version,
      master: r.master,
      changedAt: r.changed_at,
      changedBy: r.changed_by,
    }));
  }

  async replaceDataKey(patientId: string, previous: unknown, next: unknown, pkVersion: number) {
    const result = await this.scope
      .updateTable('patients')
      .set({ data_key: JSON.stringify(next), data_key_pk_version: pkVersion })
      .where('id', '=', patientId)
      .where(sql<boolean>`data_key = ${JSON.stringify(previous)}::jsonb`)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async dataKeys(after: string | undefined, limit: number) {
    let query = this.scope.selectFrom('patients').select(['id', 'data_key']).orderBy('id').limit(limit);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.execute();
    return rows.map((r) => ({ patientId: r.id, dataKey: r.data_key }));
  }

  async setTreatment(patientId: string, lastTreatment: string, retentionUntil: string): Promise<void> {
    await this.scope
      .updateTable('patients')
      .set({ last_treatment: lastTreatment, retention_until: retentionUntil })
      .where('id', '=', patientId)
      .execute();
  }

  async expiredRetention(today: string) {
    const rows = await this.scope
      .selectFrom('patients')
      .select(['id', isoDate('retention_until').as('retention_until')])
      .where('retention_until', '<', today)
      .orderBy('retention_until')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, retentionUntil: r.retention_until ?? '' }));
  }

  async setBlindIndex(patientId: string, rows: readonly BlindIndexRow[]): Promise<void> {
    await this.scope.deleteFrom('patient_blind_index').where('patient_id', '=', patientId).execute();
    if (rows.length === 0) return;
    await this.scope
      .insertInto('patient_blind_index')
      .values(
        rows.map((r) => ({
          practice_id: this.practiceId,
          patient_id: patientId,
          field: r.field,
          pk_version: r.pkVersion,
          value: r.value,
        })),
      )
      .execute();
  }

  async putDirectoryEntry(patientId: string, entry: unknown): Promise<number> {
    // The head row serialises the practice's directory writes, so sequence numbers become visible
    // in commit order and a client's cursor never skips a change.
    const head = await this.scope
      .insertInto('directory_heads')
      .values({ practice_id: this.practiceId, seq: 1 })
      .onConflict((oc) => oc.column('practice_id').doUpdateSet({ seq: sql`directory_heads.seq + 1` }))
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = Number(head.seq);
    const value = entry === null ? null : JSON.stringify(entry);
    await this.scope
      .insertInto('directory_entries')
      .values({ practice_id: this.practiceId, patient_id: patientId, seq, entry: value })
      .onConflict((oc) => oc.columns(['practice_id', 'patient_id']).doUpdateSet({ seq, entry: value }))
      .execute();
    return seq;
  }

  async directoryChanges(since: number, limit: number): Promise<DirectoryChange[]> {
    const rows = await this.scope
      .selectFrom('directory_entries')
      .select(['patient_id', 'seq', 'entry'])
      .where('seq', '>', since)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ patientId: r.patient_id, seq: Number(r.seq), entry: r.entry }));
  }

  async addEntry(entry: Omit<ClinicalEntry, 'createdAt'>): Promise<ClinicalEntry | undefined> {
    const row = await this.scope
      .insertInto('clinical_entries')
      .values({
        practice_id: this.practiceId,
        id: entry.id,
        patient_id: entry.patientId,
        body: JSON.stringify(entry.body),
        author_id: entry.authorId,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && { ...entry, createdAt: row.created_at };
  }

  async entries(patientId: string): Promise<ClinicalEntry[]> {
    const rows = await this.scope
      .selectFrom('clinical_entries')
      .selectAll()
      .where('patient_id', '=', patientId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      patientId: r.patient_id,
      body: r.body,
      authorId: r.author_id,
      createdAt: r.created_at,
    }));
  }

  async addDocument(document: Omit<StoredDocument, 'completedAt' | 'status'>) {
    const result = await this.scope
      .insertInto('documents')
      .values({
        practice_id: this.practiceId,
        id: document.id,
        patient_id: document.patientId,
        meta: JSON.stringify(document.meta),
        size: document.size,
        chunk_size: document.chunkSize,
        chunk_count: document.chunkCount,
        status: 'uploading',
        created_by: document.createdBy,
        created_at: document.createdAt,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async document(id: string, options: { lock?: boolean } = {}) {
    let query = this.scope.selectFrom('documents').selectAll().where('id', '=', id);
    if (options.lock === true) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row && toDocument(row);
  }

  async documents(patientId: string) {
    const rows = await this.scope
      .selectFrom('documents')
      .selectAll()
      .where('patient_id', '=', patientId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toDocument);
  }

  async completeDocument(id: string, at: Date): Promise<void> {
    await this.scope
      .updateTable('documents')
      .set({ status: 'complete', completed_at: at })
      .where('id', '=', id)
      .execute();
  }

  async chunks(documentId: string): Promise<StoredChunk[]> {
    const rows = await this.scope
      .selectFrom('document_chunks')
      .select(['idx', 'blob_key', 'size'])
      .where('document_id', '=', documentId)
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({ index: r.idx, blobKey: toBlobKey(r.blob_key), size: r.size }));
  }

  damagedBlobs(blobKeys: readonly string[]): Promise<ReadonlySet<string>> {
    return damagedAmong(this.scope, blobKeys);
  }

  async documentChunk(documentId: string, index: number) {
    const row = await this.scope
      .selectFrom('documents as d')
      .leftJoin('document_chunks as c', (join) =>
        join
          .onRef('c.practice_id', '=', 'd.practice_id')
          .onRef('c.document_id', '=', 'd.id')
          .on('c.idx', '=', index),
      )
      .select(['d.status', 'c.blob_key', 'c.size'])
      .where('d.id', '=', documentId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const chunk =
      row.blob_key === null || row.size === null
        ? undefined
        : { index, blobKey: toBlobKey(row.blob_key), size: row.size };
    return { status: row.status, chunk };
  }

  async putChunk(documentId: string, chunk: StoredChunk): Promise<BlobKey | undefined> {
    const previous = await this.scope
      .selectFrom('document_chunks')
      .select('blob_key')
      .where('document_id', '=', documentId)
      .where('idx', '=', chunk.index)
      .forUpdate()
      .executeTakeFirst();
    await this.scope
      .insertInto('document_chunks')
      .values({
        practice_id: this.practiceId,
        document_id: documentId,
        idx: chunk.index,
        blob_key: chunk.blobKey,
        size: chunk.size,
      })
      .onConflict((oc) =>
        oc
          .columns(['practice_id', 'document_id', 'idx'])
          .doUpdateSet({ blob_key: chunk.blobKey, size: chunk.size }),
      )
      .execute();
    return previous === undefined || previous.blob_key === chunk.blobKey
      ? undefined
      : toBlobKey(previous.blob_key);
  }

  blobInUse(blobKey: BlobKey): Promise<boolean> {
    return blobReferenced(this.scope, blobKey);
  }

  lockBlobs(blobKeys: readonly BlobKey[]): Promise<void> {
    return lockBlobKeys(this.scope, blobKeys);
  }

  async staleUploads(before: Date): Promise<string[]> {
    const rows = await this.scope
      .selectFrom('documents')
      .select('id')
      .where('status', '=', 'uploading')
      .where('created_at', '<', before)
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async deleteUpload(documentId: string): Promise<BlobKey[] | undefined> {
    // Locked and checked first: an upload completed since it was listed (its `complete` holds or
    // held this row's lock) must keep its chunks.
    const open = await this.scope
      .selectFrom('documents')
      .select('id')
      .where('id', '=', documentId)
      .where('status', '=', 'uploading')
      .forUpdate()
      .executeTakeFirst();
    if (open === undefined) return undefined;
    const chunks = await this.scope
      .deleteFrom('document_chunks')
      .where('document_id', '=', documentId)
      .returning('blob_key')
      .execute();
    await this.scope
      .deleteFrom('documents')
      .where('id', '=', documentId)
      .where('status', '=', 'uploading')
      .execute();
    return [...new Set(chunks.map((c) => toBlobKey(c.blob_key)))];
  }

  async deletePatient(patientId: string): Promise<BlobKey[]> {
    const documentIds = this.scope.selectFrom('documents').select('id').where('patient_id', '=', patientId);
    const chunks = await this.scope
      .deleteFrom('document_chunks')
      .where('document_id', 'in', documentIds)
      .returning('blob_key')
      .execute();
    await this.scope.deleteFrom('documents').where('patient_id', '=', patientId).execute();
    await this.scope.deleteFrom('clinical_entries').where('patient_id', '=', patientId).execute();
    await this.scope.deleteFrom('patient_blind_index').where('patient_id', '=', patientId).execute();
    await this.scope.deleteFrom('patient_versions').where('patient_id', '=', patientId).execute();
    await this.scope.deleteFrom('patients').where('id', '=', patientId).execute();
    return [...new Set(chunks.map((c) => toBlobKey(c.blob_key)))];
  }

  async addErasure(erasure: Omit<Erasure, 'erasedAt'>): Promise<void> {
    await this.scope
      .insertInto('patient_erasures')
      .values({
        practice_id: this.practiceId,
        patient_id: erasure.patientId,
        erased_by: erasure.erasedBy,
        category: erasure.category,
        reason: erasure.reason === null ? null : JSON.stringify(erasure.reason),
        under_retention: erasure.underRetention,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async erasures(): Promise<Erasure[]> {
    const rows = await this.scope.selectFrom('patient_erasures').selectAll().orderBy('erased_at').execute();
    return rows.map(toErasure);
  }
}

function toBlobKey(value: string): BlobKey {
  const key = parseBlobKey(value);
  if (key === undefined) throw new TypeError('stored blob key is malformed');
  return key;
}

function toDocument(row: Selectable<DocumentTable>): StoredDocument {
  return {
    id: row.id,
    patientId: row.patient_id,
    meta: row.meta,
    size: Number(row.size),
    chunkSize: row.chunk_size,
    chunkCount: row.chunk_count,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    completedAt: row.completed_at,
  };
}

function toErasure(row: Selectable<PatientErasureTable>): Erasure {
  return {
    patientId: row.patient_id,
    erasedAt: row.erased_at,
    erasedBy: row.erased_by,
    category: row.category as ErasureCategory,
    reason: row.reason,
    underRetention: row.under_retention,
  };
}
