import { type Kysely, sql } from 'kysely';
import { enableTenantIsolation } from './20261123190000-platform.js';

/**
 * Encrypted patient records: patients with their wrapped data key, every version of the
 * encrypted master data, clinical entries, documents stored as chunk blobs, the 16-bit blind
 * indexes, the encrypted patient directory as a per-practice change feed, and the erasure log.
 * Every column with patient content holds ciphertext (jsonb envelopes); keys are (practice, id), so
 * ids of one practice never collide with (or reveal) another's. Versions, entries and erasures
 * are never updated by the application role (no UPDATE privilege): history is append-only and
 * only erasure deletes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table patients (
      practice_id uuid not null references practices (id),
      id uuid not null,
      current_version integer not null check (current_version >= 1),
      data_key jsonb not null,
      data_key_pk_version integer not null check (data_key_pk_version >= 1),
      created_at timestamptz not null default now(),
      created_by uuid not null,
      updated_at timestamptz not null default now(),
      updated_by uuid not null,
      last_treatment date,
      retention_until date,
      primary key (practice_id, id)
    )`.execute(db);
  await sql`create index patients_retention_idx on patients (practice_id, retention_until)`.execute(db);

  await sql`
    create table patient_versions (
      practice_id uuid not null,
      patient_id uuid not null,
      version integer not null check (version >= 1),
      master jsonb not null,
      changed_at timestamptz not null default now(),
      changed_by uuid not null,
      primary key (practice_id, patient_id, version),
      foreign key (practice_id, patient_id) references patients (practice_id, id) on delete cascade
    )`.execute(db);

  await sql`
    create table clinical_entries (
      practice_id uuid not null,
      id uuid not null,
      patient_id uuid not null,
      body jsonb not null,
      author_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (practice_id, id),
      foreign key (practice_id, patient_id) references patients (practice_id, id) on delete cascade
    )`.execute(db);
  await sql`create index clinical_entries_patient_idx on clinical_entries (practice_id, patient_id, created_at)`.execute(
    db,
  );

  await sql`
    create table documents (
      practice_id uuid not null,
      id uuid not null,
      patient_id uuid not null,
      meta jsonb not null,
      size bigint not null check (size >= 0),
      chunk_size integer not null check (chunk_size > 0),
      chunk_count integer not null check (chunk_count >= 1),
      status text not null check (status in ('uploading', 'complete')),
      created_at timestamptz not null default now(),
      created_by uuid not null,
      completed_at timestamptz,
      primary key (practice_id, id),
      foreign key (practice_id, patient_id) references patients (practice_id, id) on delete cascade
    )`.execute(db);
  await sql`create index documents_patient_idx on documents (practice_id, patient_id, created_at)`.execute(
    db,
  );

  await sql`
    create table document_chunks (
      practice_id uuid not null,
      document_id uuid not null,
      idx integer not null check (idx >= 0),
      blob_key text not null check (blob_key ~ '^[0-9a-f]{64}$'),
      size integer not null check (size >= 0),
      primary key (practice_id, document_id, idx),
      foreign key (practice_id, document_id) references documents (practice_id, id) on delete cascade
    )`.execute(db);
  await sql`create index document_chunks_blob_idx on document_chunks (practice_id, blob_key)`.execute(db);

  await sql`
    create table patient_blind_index (
      practice_id uuid not null,
      patient_id uuid not null,
      field text not null check (field in ('kvnr', 'name_dob')),
      pk_version integer not null check (pk_version >= 1),
      value integer not null check (value between 0 and 65535),
      primary key (practice_id, patient_id, field),
      foreign key (practice_id, patient_id) references patients (practice_id, id) on delete cascade
    )`.execute(db);
  await sql`create index patient_blind_index_lookup_idx on patient_blind_index (practice_id, field, value)`.execute(
    db,
  );

  // One row per patient, moved to the head of the practice's feed on every change; an erased
  // patient keeps a tombstone (entry null) so clients drop it from their local copy.
  await sql`
    create table directory_entries (
      practice_id uuid not null,
      patient_id uuid not null,
      seq bigint not null check (seq >= 1),
      entry jsonb,
      primary key (practice_id, patient_id)
    )`.execute(db);
  await sql`create unique index directory_entries_seq_idx on directory_entries (practice_id, seq)`.execute(
    db,
  );
  await sql`
    create table directory_heads (
      practice_id uuid primary key references practices (id),
      seq bigint not null check (seq >= 0)
    )`.execute(db);

  await sql`
    create table patient_erasures (
      practice_id uuid not null references practices (id),
      patient_id uuid not null,
      erased_at timestamptz not null default now(),
      erased_by uuid not null,
      category text not null check (category in
        ('consent_withdrawn', 'patient_request', 'retention_expired', 'duplicate', 'created_in_error', 'other')),
      reason jsonb,
      under_retention boolean not null,
      primary key (practice_id, patient_id)
    )`.execute(db);

  const tables = [
    'patients',
    'patient_versions',
    'clinical_entries',
    'documents',
    'document_chunks',
    'patient_blind_index',
    'directory_entries',
    'directory_heads',
    'patient_erasures',
  ];
  for (const table of tables) {
    await sql`grant select, insert, update, delete on ${sql.table(table)} to tresor_app`.execute(db);
    await enableTenantIsolation(db, table);
  }
  // History is written once: versions and entries are only ever inserted (and deleted by erasure).
  for (const table of ['patient_versions', 'clinical_entries', 'patient_erasures']) {
    await sql`revoke update on ${sql.table(table)} from tresor_app`.execute(db);
  }
  await sql`revoke delete on patient_erasures from tresor_app`.execute(db);
}
