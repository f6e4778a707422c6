import { type Static, Type } from '@sinclair/typebox';
import { uuid } from './formats.js';

/**
 * Schemas of the cloud backup repository: credentials for backup agents (created by primary
 * users) and the repository's objects, opaque blobs the server cannot read.
 */

/** Largest object an agent may store (a pack file, an index, a snapshot). */
export const MAX_OBJECT_BYTES = 512 * 1024 * 1024;

export const ObjectKind = Type.Union([
  Type.Literal('config'),
  Type.Literal('keys'),
  Type.Literal('index'),
  Type.Literal('snapshots'),
  Type.Literal('data'),
]);
export type ObjectKind = Static<typeof ObjectKind>;

export const ObjectName = Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$' });

export const CredentialKind = Type.Union([
  Type.Literal('agent', { description: 'adds and reads objects; can neither delete nor overwrite' }),
  Type.Literal('retention', { description: 'also deletes objects whose lock period has passed' }),
]);

export const CreateCredentialBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), kind: CredentialKind },
  { additionalProperties: false },
);
export type CreateCredentialBody = Static<typeof CreateCredentialBody>;

export const CredentialView = Type.Object({
  id: uuid(),
  name: Type.String(),
  kind: CredentialKind,
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type CredentialView = Static<typeof CredentialView>;

export const CreatedCredential = Type.Object({
  credential: CredentialView,
  token: Type.String({ description: 'shown once; the server keeps only its hash' }),
});

export const ObjectParams = Type.Object({ kind: ObjectKind, name: ObjectName });
export const KindParams = Type.Object({ kind: ObjectKind });

export const ObjectView = Type.Object({
  kind: ObjectKind,
  name: Type.String(),
  size: Type.Integer(),
  sha256: Type.String({ description: 'hex SHA-256 of the stored bytes' }),
  createdAt: Type.String({ format: 'date-time' }),
  lockedUntil: Type.String({ format: 'date-time' }),
  damaged: Type.Boolean({
    description:
      "the server's integrity scrub found the stored bytes no longer match sha256; storing the same bytes again repairs it",
  }),
});
export type ObjectView = Static<typeof ObjectView>;

export const ObjectList = Type.Object({ objects: Type.Array(ObjectView) });

/** Names of the snapshot objects the cloud's retention deleted (never stored again). */
export const ForgottenSnapshots = Type.Object({ names: Type.Array(Type.String()) });

export const UsageView = Type.Object({
  objects: Type.Integer(),
  bytes: Type.Integer(),
  quotaBytes: Type.Integer(),
  lockDays: Type.Integer(),
});

export const RetentionLockView = Type.Object({
  id: uuid({ description: 'sent with every delete of this retention run' }),
  expiresAt: Type.String({
    format: 'date-time',
    description: 'unless extended before then, the lock (and the right to delete) ends here',
  }),
});
export type RetentionLockView = Static<typeof RetentionLockView>;

export const CredentialParams = Type.Object({ id: uuid() });
export const RetentionLockParams = Type.Object({ id: uuid() });

export const DeleteObjectQuery = Type.Object({
  lock: Type.Optional(uuid({ description: 'the live retention lock of this run' })),
});
