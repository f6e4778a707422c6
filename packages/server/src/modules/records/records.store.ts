import type { BlobKey } from '../../platform/blob/blob-store.js';
import type { PracticeScope } from '../../platform/db/tenant.js';
import type {
  BlindIndexField,
  BlindIndexRow,
  ClinicalEntry,
  DirectoryChange,
  Erasure,
  Patient,
  PatientVersion,
  StoredChunk,
  StoredDocument,
} from './records.types.js';

/** Storage of the records module. Everything is practice-owned and reached only inside `inPractice`. */
export interface RecordsStore {
  /** One transaction bound to one practice (row-level security). */
  inPractice<T>(practiceId: string, work: (tx: RecordsTx) => Promise<T>): Promise<T>;
  /**
   * Ids of the practice's patients whose blind index for `field` equals one of `terms`, in id
   * order; one read bound to the practice (row-level security), outside any transaction.
   */
  lookup(
    practiceId: string,
    field: BlindIndexField,
    terms: readonly { pkVersion: number; value: number }[],
  ): Promise<string[]>;
}

export interface NewPatient {
  readonly id: string;
  readonly dataKey: unknown;
  readonly dataKeyPkVersion: number;
  readonly master: unknown;
  readonly by: string;
}

export interface RecordsTx {
  /** The transaction handle, for the audit log to write in the same transaction. */
  readonly scope: PracticeScope;

  /** False when the id is already taken in this practice. */
  addPatient(patient: NewPatient): Promise<boolean>;
  /**
   * Many new patients at once (import) with their blind-index rows and directory entries, in a
   * few multi-row statements; false (and nothing usable: the caller aborts) if any id is taken.
   */
  addPatients(
    patients: readonly (NewPatient & { index: readonly BlindIndexRow[]; directory: unknown })[],
  ): Promise<boolean>;
  /** The ids among `patientIds` that belonged to erased patients (the erasure log keeps them). */
  erasedIds(patientIds: readonly string[]): Promise<string[]>;
  /** The patient with its current master data; `lock` holds the row until the transaction ends. */
  patient(id: string, options?: { lock?: boolean }): Promise<Patient | undefined>;
  /**
   * Keeps the patient from being deleted (erased) until the transaction ends: a key-share lock,
   * which plain updates of the row do not wait for; false if there is no such patient (any more).
   */
  holdPatient(id: string): Promise<boolean>;
  addVersion(patientId: string, version: number, master: unknown, by: string): Promise<void>;
  setCurrentVersion(patientId: string, version: number, by: string): Promise<void>;
  versions(patientId: string): Promise<PatientVersion[]>;
  /** Compare-and-swap of the wrapped data key; true if it still was `previous`. */
  replaceDataKey(patientId: string, previous: unknown, next: unknown, pkVersion: number): Promise<boolean>;
  dataKeys(after: string | undefined, limit: number): Promise<{ patientId: string; dataKey: unknown }[]>;
  setTreatment(patientId: string, lastTreatment: string, retentionUntil: string): Promise<void>;
  expiredRetention(today: string): Promise<{ id: string; retentionUntil: string }[]>;
  /** Ids of uploads still open that were started before `before`. */
  staleUploads(before: Date): Promise<string[]>;
  /**
   * Deletes an unfinished upload and its chunk rows; the blob keys it referred to. Undefined (and
   * nothing deleted) if the document is no upload in progress any more (completed meanwhile).
   */
  deleteUpload(documentId: string): Promise<BlobKey[] | undefined>;

  setBlindIndex(patientId: string, rows: readonly BlindIndexRow[]): Promise<void>;

  /** Moves the patient's directory entry (or tombstone, `null`) to the head of the feed. */
  putDirectoryEntry(patientId: string, entry: unknown): Promise<number>;
  directoryChanges(since: number, limit: number): Promise<DirectoryChange[]>;

  addEntry(entry: Omit<ClinicalEntry, 'createdAt'>): Promise<ClinicalEntry | undefined>;
  entries(patientId: string): Promise<ClinicalEntry[]>;

  addDocument(document: Omit<StoredDocument, 'completedAt' | 'status'>): Promise<boolean>;
  document(id: string, options?: { lock?: boolean }): Promise<StoredDocument | undefined>;
  documents(patientId: string): Promise<StoredDocument[]>;
  completeDocument(id: string, at: Date): Promise<void>;
  chunks(documentId: string): Promise<StoredChunk[]>;
  /** Those of `blobKeys` the integrity scrub found damaged (global `blob_damage`). */
  damagedBlobs(blobKeys: readonly string[]): Promise<ReadonlySet<string>>;
  /**
   * One statement for a download request: the document's status and chunk `index` (undefined when
   * it is not stored); undefined when there is no such document.
   */
  documentChunk(
    documentId: string,
    index: number,
  ): Promise<{ status: StoredDocument['status']; chunk: StoredChunk | undefined } | undefined>;
  /** Stores (or replaces) a chunk; returns the blob key it replaced, if any. */
  putChunk(documentId: string, chunk: StoredChunk): Promise<BlobKey | undefined>;
  /** Whether any practice still refers to this blob (document chunks, backup objects). */
  blobInUse(blobKey: BlobKey): Promise<boolean>;
  /**
   * Holds these blob keys until the transaction ends (an advisory lock per key, in key order): a
   * chunk is recorded, and an unused blob is found unused and deleted, only under its key's lock,
   * so a deletion never runs between another request's check that its blob exists and its commit.
   */
  lockBlobs(blobKeys: readonly BlobKey[]): Promise<void>;

  /** Deletes everything stored about the patient; returns the blob keys its documents used. */
  deletePatient(patientId: string): Promise<BlobKey[]>;
  /**
   * Logs an erasure. The log holds one entry per id: a second erasure of an id (only a record
   * created again under an erased id before such ids were refused) keeps the first entry.
   */
  addErasure(erasure: Omit<Erasure, 'erasedAt'>): Promise<void>;
  erasures(): Promise<Erasure[]>;
}
