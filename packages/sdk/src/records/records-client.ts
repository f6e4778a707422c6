import { type RewrapReport, rewrapDataKeys } from '../accounts/rewrap-data-keys.js';
import type { DataKeySource } from '../accounts/rewrap-data-keys.js';
import { recordsDataKeySource } from './data-key-source.js';
import { PatientDirectory } from './directory.js';
import {
  downloadDocument,
  listDocuments,
  pendingUploads,
  resumeUpload,
  uploadDocument,
} from './documents.js';
import { addEntry, listEntries, patientHistory } from './entries.js';
import { type EraseOptions, erasePatient, erasures, expiredRetention } from './erasure.js';
import { findByKvnr, findBySurnameAndBirthDate } from './lookup.js';
import {
  createPatient,
  fetchPatient,
  importPatients,
  reindexPatient,
  toPatient,
  updatePatient,
} from './patients.js';
import type { EntryInput, PatientMaster } from './plaintext.js';
import type { RecordsContext } from './records-context.js';
import type {
  ClinicalEntry,
  DocumentInfo,
  DownloadOptions,
  ErasureRecord,
  Patient,
  PatientVersion,
  PendingUpload,
  UploadOptions,
  UploadSource,
} from './types.js';
import { UserNames } from './user-names.js';

/**
 * Encrypted patient records for a signed-in session (`session.records`). Everything is sealed
 * and opened on this device; the server sees ciphertext, ids, sizes, times and 16-bit blind-index
 * values. Works in browsers and Node (WHATWG streams, fetch).
 */
export class RecordsClient {
  readonly #context: RecordsContext;
  readonly #names: UserNames;
  #directory: PatientDirectory | undefined;

  constructor(context: RecordsContext) {
    this.#context = context;
    this.#names = new UserNames(context);
  }

  createPatient(master: PatientMaster): Promise<Patient> {
    return createPatient(this.#context, master);
  }
  /** Bulk creation (import from a previous system): 200 patients per request and transaction; returns the ids. */
  importPatients(masters: readonly PatientMaster[]): Promise<string[]> {
    return importPatients(this.#context, masters);
  }
  async getPatient(id: string): Promise<Patient> {
    return toPatient(this.#context, await fetchPatient(this.#context, id));
  }
  /** A new version; rejects with `records.version_conflict` if `expectedVersion` is no longer current. */
  updatePatient(id: string, master: PatientMaster, expectedVersion: number): Promise<Patient> {
    return updatePatient(this.#context, id, master, expectedVersion);
  }
  /** Every version of the master data, oldest first. */
  patientHistory(id: string): Promise<PatientVersion[]> {
    return patientHistory(this.#context, this.#names, id);
  }

  addEntry(patientId: string, entry: EntryInput): Promise<ClinicalEntry> {
    return addEntry(this.#context, this.#names, patientId, entry);
  }
  listEntries(patientId: string): Promise<ClinicalEntry[]> {
    return listEntries(this.#context, this.#names, patientId);
  }

  /** Encrypts and uploads a file in 1 MiB chunks while reading it; `options.onUploadId` gives the id for `resumeUpload`. */
  uploadDocument(patientId: string, file: UploadSource, options?: UploadOptions): Promise<DocumentInfo> {
    return uploadDocument(this.#context, patientId, file, options);
  }
  /** Finishes an interrupted upload of the same file; sends only what the server lacks. */
  resumeUpload(uploadId: string, file: UploadSource, options?: UploadOptions): Promise<DocumentInfo> {
    return resumeUpload(this.#context, uploadId, file, options);
  }
  /** Completely uploaded documents of a patient. */
  listDocuments(patientId: string): Promise<DocumentInfo[]> {
    return listDocuments(this.#context, patientId);
  }
  /** Uploads of a patient that were started and not completed (to resume or show). */
  pendingUploads(patientId: string): Promise<PendingUpload[]> {
    return pendingUploads(this.#context, patientId);
  }
  downloadDocument(
    documentId: string,
    options?: DownloadOptions,
  ): Promise<{ info: DocumentInfo; stream: ReadableStream<Uint8Array> }> {
    return downloadDocument(this.#context, documentId, options);
  }

  /**
   * Crypto-shreds a patient. Under the retention period only a primary user may, with a `reason`
   * (sealed on this device); otherwise `records.retention_active` / `records.erasure_reason_required`.
   */
  erasePatient(id: string, options?: EraseOptions): Promise<void> {
    return erasePatient(this.#context, id, options);
  }
  /** Primary users: the erasure log, reasons decrypted. */
  erasures(): Promise<ErasureRecord[]> {
    return erasures(this.#context, this.#names);
  }
  /** Patients whose retention period is over. */
  expiredRetention(): Promise<{ id: string; retentionUntil: string }[]> {
    return expiredRetention(this.#context);
  }

  /** Drops what this client holds decrypted (the patient directory): on lock or logout. */
  forget(): void {
    this.#directory?.clear();
  }

  /** The local patient directory, synced on first use; call `.refresh()` for later changes. */
  async directory(): Promise<PatientDirectory> {
    if (this.#directory === undefined) {
      this.#directory = new PatientDirectory(this.#context);
    }
    await this.#directory.refresh();
    return this.#directory;
  }

  /** Patients with this KVNR (blind-index lookup on the server, false hits dropped here). */
  findByKvnr(kvnr: string): Promise<Patient[]> {
    return findByKvnr(this.#context, kvnr);
  }
  findBySurnameAndBirthDate(familyName: string, birthDate: string): Promise<Patient[]> {
    return findBySurnameAndBirthDate(this.#context, familyName, birthDate);
  }

  /** The `DataKeySource` over every patient's wrapped data key, for `rewrapDataKeys`. */
  dataKeySource(): DataKeySource {
    return recordsDataKeySource(this.#context);
  }
  /**
   * After a practice-key rotation: re-wraps every data key and rebuilds blind index and directory
   * entries still under an older version.
   */
  async rewrapAll(): Promise<RewrapReport & { reindexed: number }> {
    const keys = this.#context.keys();
    const report = await rewrapDataKeys(this.dataKeySource(), keys, this.#context.practiceId);
    const directory = await this.directory();
    const stale = directory.staleIds(keys.currentPkVersion);
    for (const id of stale) await reindexPatient(this.#context, id);
    await directory.refresh();
    return { ...report, reindexed: stale.length };
  }
}
