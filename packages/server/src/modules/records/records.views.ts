import type { records } from '@tresor/sdk/contract';
import type { ClinicalEntry, Patient, StoredChunk, StoredDocument } from './records.types.js';

/**
 * Domain objects → API shapes. Stored envelopes were validated against the contract when they
 * were written; they are passed back as they are.
 */

export function patientView(p: Patient): records.PatientView {
  return {
    id: p.id,
    version: p.version,
    dataKey: p.dataKey as records.PatientView['dataKey'],
    master: p.master as records.RecordEnvelope,
    createdAt: p.createdAt.toISOString(),
    createdBy: p.createdBy,
    updatedAt: p.updatedAt.toISOString(),
    updatedBy: p.updatedBy,
    lastTreatment: p.lastTreatment,
    retentionUntil: p.retentionUntil,
  };
}

export function entryView(e: ClinicalEntry): records.EntryView {
  return {
    id: e.id,
    patientId: e.patientId,
    body: e.body as records.RecordEnvelope,
    authorId: e.authorId,
    createdAt: e.createdAt.toISOString(),
  };
}

export function documentView(d: StoredDocument, chunks: readonly StoredChunk[]): records.DocumentView {
  return {
    id: d.id,
    patientId: d.patientId,
    meta: d.meta as records.DocumentView['meta'],
    size: d.size,
    chunkSize: d.chunkSize,
    chunkCount: d.chunkCount,
    status: d.status,
    receivedChunks: chunks.map((c) => c.index),
    createdAt: d.createdAt.toISOString(),
    createdBy: d.createdBy,
    completedAt: d.completedAt === null ? null : d.completedAt.toISOString(),
  };
}
