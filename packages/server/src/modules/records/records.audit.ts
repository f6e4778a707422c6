import { createHash } from 'node:crypto';
import type { PracticeScope } from '../../platform/db/tenant.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AuditEvent } from '../audit/index.js';

/** The audit log as the records module needs it: an append in the caller's transaction. */
export interface RecordsAudit {
  append(scope: PracticeScope, event: AuditEvent): Promise<unknown>;
}

/** Audit actions of the records module. Details are ids and ciphertext hashes only. */
export type RecordsAction =
  | 'patient.created'
  | 'patient.updated'
  | 'patient.index_updated'
  | 'patient.data_key_rewrapped'
  | 'patient.erased'
  | 'entry.added'
  | 'document.upload_started'
  | 'document.added'
  | 'document.upload_abandoned'
  | 'retention.expired_listed';

/** JSON with object keys sorted, so a hash does not depend on how the database orders jsonb keys. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Lowercase hex SHA-256 over the canonical JSON of the stored ciphertext(s). */
export function ciphertextHash(...values: unknown[]): string {
  const hash = createHash('sha256');
  for (const value of values) hash.update(canonicalJson(value)).update('\n');
  return hash.digest('hex');
}

export function recordsEvent(
  auth: AuthContext,
  action: RecordsAction,
  targetId: string,
  hash?: string,
): AuditEvent {
  return {
    practiceId: auth.practiceId,
    actorUserId: auth.userId,
    deviceId: auth.deviceId,
    action,
    targetId,
    ...(hash === undefined ? {} : { ciphertextHash: hash }),
  };
}
