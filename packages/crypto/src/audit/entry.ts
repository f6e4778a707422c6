/**
 * Audit entries: their canonical bytes, the per-practice hash chain over them, and their leaf
 * hashes in the practice's Merkle tree. An entry names who did what to which id and carries the
 * hash of the stored ciphertext: never plaintext.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../encoding.js';
import { leafHash } from './merkle.js';

export const AUDIT_ENTRY_FORMAT = 'tresor/audit/v1';

/** What one audit entry records; the fields its hashes cover. */
export interface AuditEntryFields {
  readonly practiceId: string;
  /** Position in the practice's log: 1, 2, 3, … without gaps. */
  readonly seq: number;
  /** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  readonly occurredAt: string;
  readonly actorUserId: string | null;
  readonly deviceId: string | null;
  /** `<domain>.<event>`, e.g. `record.updated`, `auth.login_failed`. */
  readonly action: string;
  /** The id of what was created, changed or deleted (an id, never a name or other plaintext). */
  readonly targetId: string | null;
  /** Lowercase hex SHA-256 of the ciphertext as stored, when the event stored one. */
  readonly ciphertextHash: string | null;
}

/** An entry as stored and served: its fields and its chain hash. */
export interface AuditEntry extends AuditEntryFields {
  /** Lowercase hex chain hash: SHA-256(previous entry hash || SHA-256(canonical bytes)). */
  readonly entryHash: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const TARGET_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export const AUDIT_ACTION_MAX_LENGTH = 100;
export const AUDIT_TARGET_ID_MAX_LENGTH = 200;

export function isAuditHash(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * Why these fields cannot be recorded, or undefined when they can. The rules keep free text out
 * of the log: ids are UUIDs or short opaque tokens, actions are dotted lowercase names.
 */
export function auditEntryProblem(fields: AuditEntryFields): string | undefined {
  const { practiceId, seq, occurredAt, actorUserId, deviceId, action, targetId, ciphertextHash } = fields;
  if (!UUID.test(practiceId)) return 'practiceId must be a lowercase UUID';
  if (!Number.isSafeInteger(seq) || seq < 1) return 'seq must be a positive integer';
  const time = new Date(occurredAt);
  if (Number.isNaN(time.getTime()) || time.toISOString() !== occurredAt) {
    return 'occurredAt must be an ISO 8601 UTC time with milliseconds';
  }
  if (actorUserId !== null && !UUID.test(actorUserId)) return 'actorUserId must be a lowercase UUID';
  if (deviceId !== null && !UUID.test(deviceId)) return 'deviceId must be a lowercase UUID';
  if (action.length > AUDIT_ACTION_MAX_LENGTH || !ACTION.test(action)) {
    return 'action must look like "domain.event" (lowercase letters, digits, underscores)';
  }
  if (targetId !== null && (targetId.length > AUDIT_TARGET_ID_MAX_LENGTH || !TARGET_ID.test(targetId))) {
    return `targetId must be an id of at most ${AUDIT_TARGET_ID_MAX_LENGTH} characters (letters, digits, . _ : -)`;
  }
  if (ciphertextHash !== null && !isAuditHash(ciphertextHash)) {
    return 'ciphertextHash must be a lowercase hex SHA-256';
  }
  return undefined;
}

/**
 * The canonical bytes of an entry: UTF-8 of a JSON array in a fixed order, so every client
 * computes the same bytes without a canonical-JSON library.
 */
export function auditEntryBytes(fields: AuditEntryFields): Uint8Array {
  return utf8ToBytes(
    JSON.stringify([
      AUDIT_ENTRY_FORMAT,
      fields.practiceId,
      fields.seq,
      fields.occurredAt,
      fields.actorUserId,
      fields.deviceId,
      fields.action,
      fields.targetId,
      fields.ciphertextHash,
    ]),
  );
}

/** The chain hash before the first entry: 32 zero bytes, hex. */
export const AUDIT_CHAIN_GENESIS = '0'.repeat(64);

/** The hash of an entry in the chain: SHA-256(previous || SHA-256(canonical bytes)), hex. */
export function auditChainHash(previousHash: string, fields: AuditEntryFields): string {
  return chainStep(hexToBytes(previousHash), auditEntryBytes(fields));
}

/** The entry's leaf hash in the practice's Merkle tree: SHA-256(0x00 || canonical bytes). */
export function auditLeafHash(fields: AuditEntryFields): Uint8Array {
  return leafHash(auditEntryBytes(fields));
}

/** One chain step over canonical bytes already computed (used by the verifier). */
export function chainStep(previous: Uint8Array, canonicalBytes: Uint8Array): string {
  const digest = sha256(canonicalBytes);
  const input = new Uint8Array(previous.length + digest.length);
  input.set(previous, 0);
  input.set(digest, previous.length);
  return bytesToHex(sha256(input));
}
