import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { uuid } from './formats.js';

/**
 * Schemas of the audit API. The entry and checkpoint shapes are exactly the ones
 * `verifyAuditTrail` and `verifyCheckpointConsistency` from @tresor/crypto take.
 */

const Uuid = uuid();
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const AuditEntry = Type.Object({
  practiceId: Uuid,
  seq: Type.Integer({ minimum: 1 }),
  occurredAt: Type.String({ format: 'date-time' }),
  actorUserId: Nullable(Uuid),
  deviceId: Nullable(Uuid),
  action: Type.String({ description: 'domain.event, e.g. record.updated' }),
  targetId: Nullable(Type.String()),
  ciphertextHash: Nullable(Hash),
  entryHash: Hash,
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditEntryPage = Type.Object({
  entries: Type.Array(AuditEntry),
  treeSize: Type.Integer({ minimum: 0, description: 'entries in the log now' }),
});
export type AuditEntryPage = Static<typeof AuditEntryPage>;

export const AuditCheckpoint = Type.Object({
  practiceId: Uuid,
  treeSize: Type.Integer({ minimum: 0 }),
  rootHash: Hash,
  chainHead: Hash,
  createdAt: Type.String({ format: 'date-time' }),
  signature: Type.String({ description: 'base64url Ed25519 signature' }),
});
export type AuditCheckpoint = Static<typeof AuditCheckpoint>;

export const AuditCheckpointPage = Type.Object({ checkpoints: Type.Array(AuditCheckpoint) });
export type AuditCheckpointPage = Static<typeof AuditCheckpointPage>;

export const AuditConsistencyProof = Type.Object({
  from: Type.Integer({ minimum: 1 }),
  to: Type.Integer({ minimum: 1 }),
  proof: Type.Array(Hash, { description: 'RFC 6962 consistency proof, in order' }),
});
export type AuditConsistencyProof = Static<typeof AuditConsistencyProof>;

export const AuditSigningKey = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  publicKey: Type.String({ description: 'base64url, 32 bytes' }),
});
export type AuditSigningKey = Static<typeof AuditSigningKey>;
