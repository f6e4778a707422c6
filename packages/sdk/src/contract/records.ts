import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { DOCUMENT_CHUNK_OVERHEAD, DOCUMENT_CHUNK_SIZE, MAX_DOCUMENT_SIZE } from '@tresor/crypto';
import { EnvelopeSchema } from './accounts.js';
import { uuid } from './formats.js';

/**
 * Schemas of the records API: patients (versioned, encrypted master data), clinical entries,
 * documents (chunked, resumable), the encrypted patient directory, blind-index lookups, data-key
 * re-wrapping, erasure and retention. Every patient field is ciphertext; the server sees ids,
 * versions, sizes, times, authors and 16-bit blind-index values (docs/SECURITY.md).
 */

export { DOCUMENT_CHUNK_OVERHEAD, DOCUMENT_CHUNK_SIZE, MAX_DOCUMENT_SIZE };

/** Largest sealed chunk the server accepts in one PUT: one full chunk plus nonce and tag. */
export const MAX_SEALED_CHUNK_BYTES = DOCUMENT_CHUNK_SIZE + DOCUMENT_CHUNK_OVERHEAD;

const Uuid = uuid();
const DateTime = Type.String({ format: 'date-time' });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const B64 = (maxLength: number) => Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength });

/** An envelope of record content (master data, an entry, document metadata): up to ~190 KB of plaintext. */
export const RecordEnvelope = Type.Object(
  {
    v: Type.Literal(1),
    alg: Type.Literal('A256GCM'),
    kid: Type.String({ minLength: 1, maxLength: 128 }),
    nonce: B64(32),
    ct: B64(262144),
  },
  { additionalProperties: false },
);
export type RecordEnvelope = Static<typeof RecordEnvelope>;

export const IdParams = Type.Object({ id: Uuid });
export const ChunkParams = Type.Object({ id: Uuid, index: Type.Integer({ minimum: 0, maximum: 100000 }) });

const IndexValue = Type.Integer({ minimum: 0, maximum: 65535 });
/** A practice-key version; the server stores it in a PostgreSQL `integer` (at most 2^31 - 1). */
const PkVersion = Type.Integer({ minimum: 1, maximum: 2147483647 });

/** Blind-index values of one patient, all under practice-key version `pkVersion`. */
export const BlindIndexBody = Type.Object(
  { pkVersion: PkVersion, kvnr: Nullable(IndexValue), nameDob: IndexValue },
  { additionalProperties: false },
);
export type BlindIndexBody = Static<typeof BlindIndexBody>;

export const CreatePatientBody = Type.Object(
  {
    id: Uuid,
    dataKey: EnvelopeSchema,
    master: RecordEnvelope,
    blindIndex: BlindIndexBody,
    directory: EnvelopeSchema,
  },
  { additionalProperties: false },
);
export type CreatePatientBody = Static<typeof CreatePatientBody>;

/** Bulk import (e.g. from the practice's previous system): up to 500 patients in one transaction. */
export const ImportPatientsBody = Type.Object(
  { patients: Type.Array(CreatePatientBody, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export type ImportPatientsBody = Static<typeof ImportPatientsBody>;
export const ImportPatientsReply = Type.Object({ ids: Type.Array(Uuid) });

export const UpdatePatientBody = Type.Object(
  {
    // Stored as a PostgreSQL `integer`: a larger one is invalid, not a version conflict.
    expectedVersion: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    master: RecordEnvelope,
    blindIndex: BlindIndexBody,
    directory: EnvelopeSchema,
  },
  { additionalProperties: false },
);
export type UpdatePatientBody = Static<typeof UpdatePatientBody>;

export const UpdateIndexBody = Type.Object(
  { blindIndex: BlindIndexBody, directory: EnvelopeSchema },
  { additionalProperties: false },
);
export type UpdateIndexBody = Static<typeof UpdateIndexBody>;

export const PatientView = Type.Object({
  id: Uuid,
  version: Type.Integer({ minimum: 1 }),
  dataKey: EnvelopeSchema,
  master: RecordEnvelope,
  createdAt: DateTime,
  createdBy: Uuid,
  updatedAt: DateTime,
  updatedBy: Uuid,
  lastTreatment: Nullable(IsoDate),
  retentionUntil: Nullable(IsoDate),
});
export type PatientView = Static<typeof PatientView>;

export const PatientVersionView = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  master: RecordEnvelope,
  changedAt: DateTime,
  changedBy: Uuid,
});
export type PatientVersionView = Static<typeof PatientVersionView>;
export const PatientVersions = Type.Object({ versions: Type.Array(PatientVersionView) });
export type PatientVersions = Static<typeof PatientVersions>;

export const CreateEntryBody = Type.Object(
  { id: Uuid, body: RecordEnvelope },
  { additionalProperties: false },
);
export type CreateEntryBody = Static<typeof CreateEntryBody>;
export const EntryView = Type.Object({
  id: Uuid,
  patientId: Uuid,
  body: RecordEnvelope,
  authorId: Uuid,
  createdAt: DateTime,
});
export type EntryView = Static<typeof EntryView>;
export const EntryList = Type.Object({ entries: Type.Array(EntryView) });

export const CreateDocumentBody = Type.Object(
  {
    id: Uuid,
    meta: EnvelopeSchema,
    size: Type.Integer({ minimum: 0, description: 'plaintext bytes; at most 500 MiB' }),
    chunkSize: Type.Literal(DOCUMENT_CHUNK_SIZE),
  },
  { additionalProperties: false },
);
export type CreateDocumentBody = Static<typeof CreateDocumentBody>;

export const DocumentView = Type.Object({
  id: Uuid,
  patientId: Uuid,
  meta: EnvelopeSchema,
  size: Type.Integer({ minimum: 0 }),
  chunkSize: Type.Integer({ minimum: 1 }),
  chunkCount: Type.Integer({ minimum: 1 }),
  status: Type.Union([Type.Literal('uploading'), Type.Literal('complete')]),
  receivedChunks: Type.Array(Type.Integer({ minimum: 0 }), {
    description: 'indexes stored so far (all of them once complete)',
  }),
  createdAt: DateTime,
  createdBy: Uuid,
  completedAt: Nullable(DateTime),
});
export type DocumentView = Static<typeof DocumentView>;
export const DocumentList = Type.Object({ documents: Type.Array(DocumentView) });

export const ContentQuery = Type.Object({
  from: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 100000,
      default: 0,
      description: 'first chunk to send (to resume a download)',
    }),
  ),
});

export const ChunkReply = Type.Object({ index: Type.Integer(), size: Type.Integer() });

/** Most sealed chunks one upload request may carry (64 MiB): a failed request loses at most this. */
export const MAX_CHUNKS_PER_CONTENT_REQUEST = 64;

export const ContentUploadQuery = Type.Object({
  from: Type.Integer({ minimum: 0, maximum: 100000, description: 'index of the first chunk in the body' }),
});

export const ContentUploadReply = Type.Object({
  from: Type.Integer(),
  count: Type.Integer({ description: 'chunks stored from `from` on' }),
});
export type ContentUploadReply = Static<typeof ContentUploadReply>;

export const DirectoryQuery = Type.Object({
  since: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: 0,
      description: 'cursor of the last page',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
});
export const DirectoryChange = Type.Object({
  patientId: Uuid,
  seq: Type.Integer({ minimum: 1 }),
  entry: Nullable(EnvelopeSchema),
});
export type DirectoryChange = Static<typeof DirectoryChange>;
export const DirectoryPage = Type.Object({
  changes: Type.Array(DirectoryChange, { description: 'oldest first; entry null = erased (tombstone)' }),
  cursor: Type.Integer({ minimum: 0, description: 'pass as `since` to get what changed afterwards' }),
  more: Type.Boolean(),
});
export type DirectoryPage = Static<typeof DirectoryPage>;

export const LookupBody = Type.Object(
  {
    field: Type.Union([Type.Literal('kvnr'), Type.Literal('name_dob')]),
    terms: Type.Array(
      Type.Object({ pkVersion: PkVersion, value: IndexValue }, { additionalProperties: false }),
      { minItems: 1, maxItems: 32 },
    ),
  },
  { additionalProperties: false },
);
export type LookupBody = Static<typeof LookupBody>;
export const LookupReply = Type.Object({ ids: Type.Array(Uuid) });

export const DataKeysQuery = Type.Object({
  after: Type.Optional(Uuid),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 500 })),
});
export const DataKeysPage = Type.Object({
  keys: Type.Array(Type.Object({ patientId: Uuid, dataKey: EnvelopeSchema })),
  next: Nullable(Uuid),
});
export type DataKeysPage = Static<typeof DataKeysPage>;
export const ReplaceDataKeyBody = Type.Object(
  { previous: EnvelopeSchema, next: EnvelopeSchema },
  { additionalProperties: false },
);
export type ReplaceDataKeyBody = Static<typeof ReplaceDataKeyBody>;
export const ReplaceDataKeyReply = Type.Object({ replaced: Type.Boolean() });

export const ErasureCategory = Type.Union([
  Type.Literal('consent_withdrawn'),
  Type.Literal('patient_request'),
  Type.Literal('retention_expired'),
  Type.Literal('duplicate'),
  Type.Literal('created_in_error'),
  Type.Literal('other'),
]);
export type ErasureCategory = Static<typeof ErasureCategory>;
export const EraseBody = Type.Object(
  {
    category: ErasureCategory,
    reason: Type.Optional(EnvelopeSchema),
  },
  { additionalProperties: false },
);
export type EraseBody = Static<typeof EraseBody>;
export const EraseReply = Type.Object({ erased: Type.Literal(true) });

export const ErasureView = Type.Object({
  patientId: Uuid,
  erasedAt: DateTime,
  erasedBy: Uuid,
  category: ErasureCategory,
  reason: Nullable(EnvelopeSchema),
  underRetention: Type.Boolean(),
});
export type ErasureView = Static<typeof ErasureView>;
export const ErasureList = Type.Object({ erasures: Type.Array(ErasureView) });

export const ExpiredRetention = Type.Object({
  records: Type.Array(Type.Object({ id: Uuid, retentionUntil: IsoDate })),
});
