import type { ErasureCategory } from '../contract/records.js';
import type { EntryInput, PatientMaster } from './plaintext.js';

export type { EntryInput, PatientMaster } from './plaintext.js';
export type { ErasureCategory } from '../contract/records.js';

/** A user as shown next to a change: id and login name (empty if the user is unknown). */
export interface UserRef {
  readonly userId: string;
  readonly username: string;
}

/** A patient record, decrypted: the current version of the master data. */
export interface Patient {
  readonly id: string;
  readonly version: number;
  readonly master: PatientMaster;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** YYYY-MM-DD until which the record is under its legal retention period, if it had treatment. */
  readonly retentionUntil?: string;
}

/** One version of the master data with who stored it and when. */
export interface PatientVersion {
  readonly version: number;
  readonly master: PatientMaster;
  readonly changedAt: string;
  readonly changedBy: UserRef;
}

export type ClinicalEntry = EntryInput & {
  readonly id: string;
  readonly createdAt: string;
  readonly author: UserRef;
};

export interface DocumentInfo {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  /** Plaintext size in bytes. */
  readonly size: number;
  readonly createdAt: string;
}

/** An upload that was started but not completed: resume it with `resumeUpload(id, file)`. */
export interface PendingUpload extends DocumentInfo {
  readonly patientId: string;
  readonly chunkCount: number;
  readonly receivedChunks: readonly number[];
}

/** What `uploadDocument` needs of a file: a browser `File` fits, and so does a small Node adapter. */
export interface UploadSource {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

export interface UploadOptions {
  onProgress?(sentBytes: number, total: number): void;
  /** Told the upload's id as soon as it exists, so an interrupted upload can be resumed. */
  onUploadId?(uploadId: string): void;
  readonly signal?: AbortSignal;
}

export interface DownloadOptions {
  onProgress?(receivedBytes: number, total: number): void;
}

export type DirectoryMatch = 'prefix' | 'substring' | 'phonetic' | 'birthDate' | 'kvnr';

export interface DirectoryHit {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly kvnr?: string;
  readonly match: DirectoryMatch;
}

/** One entry of the erasure log, with the reason decrypted on this device. */
export interface ErasureRecord {
  readonly patientId: string;
  readonly erasedAt: string;
  readonly erasedBy: UserRef;
  readonly category: ErasureCategory;
  readonly reason?: string;
  readonly underRetention: boolean;
}
