import type { BlobKey } from '../../platform/blob/blob-store.js';

/**
 * Domain types of the records module. Every `unknown` field is an envelope (ciphertext) the
 * server stores and returns without being able to read it.
 */

export interface Patient {
  readonly id: string;
  readonly version: number;
  readonly dataKey: unknown;
  readonly dataKeyPkVersion: number;
  readonly master: unknown;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
  /** YYYY-MM-DD of the last entry or document, or null before the first. */
  readonly lastTreatment: string | null;
  /** YYYY-MM-DD until which the record must be kept (§630f BGB), or null. */
  readonly retentionUntil: string | null;
}

export interface PatientVersion {
  readonly version: number;
  readonly master: unknown;
  readonly changedAt: Date;
  readonly changedBy: string;
}

export interface ClinicalEntry {
  readonly id: string;
  readonly patientId: string;
  readonly body: unknown;
  readonly authorId: string;
  readonly createdAt: Date;
}

export type DocumentStatus = 'uploading' | 'complete';

export interface StoredDocument {
  readonly id: string;
  readonly patientId: string;
  readonly meta: unknown;
  readonly size: number;
  readonly chunkSize: number;
  readonly chunkCount: number;
  readonly status: DocumentStatus;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly completedAt: Date | null;
}

export interface StoredChunk {
  readonly index: number;
  readonly blobKey: BlobKey;
  readonly size: number;
}

export type BlindIndexField = 'kvnr' | 'name_dob';

export interface BlindIndexRow {
  readonly field: BlindIndexField;
  readonly pkVersion: number;
  readonly value: number;
}

export interface DirectoryChange {
  readonly patientId: string;
  readonly seq: number;
  readonly entry: unknown;
}

export type ErasureCategory =
  'consent_withdrawn' | 'patient_request' | 'retention_expired' | 'duplicate' | 'created_in_error' | 'other';

export interface Erasure {
  readonly patientId: string;
  readonly erasedAt: Date;
  readonly erasedBy: string;
  readonly category: ErasureCategory;
  readonly reason: unknown;
  readonly underRetention: boolean;
}
