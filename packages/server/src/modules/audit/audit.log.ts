import { type AuditEntryFields, auditChainHash, auditEntryProblem } from '@tresor/crypto';
import type { PracticeScope } from '../../platform/db/tenant.js';
import type { AuditStore } from './audit.store.js';

/** What another module reports: who did what to which id. Ids and hashes only, no plaintext. */
export interface AuditEvent {
  readonly practiceId: string;
  readonly actorUserId?: string;
  readonly deviceId?: string;
  /** `<domain>.<event>`, e.g. `practice.created`, `auth.login_failed`, `record.updated`. */
  readonly action: string;
  readonly targetId?: string;
  /** Lowercase hex SHA-256 of the ciphertext the change stored. */
  readonly ciphertextHash?: string;
}

export interface AppendedEntry {
  readonly seq: number;
  readonly entryHash: string;
}

export interface AuditLogOptions {
  readonly clock?: () => Date;
  /** Told about every append (before the caller commits); the checkpoint scheduler listens here. */
  readonly onAppend?: (practiceId: string, seq: number) => void;
}

/**
 * Appends audit entries inside the caller's practice transaction, so an entry exists exactly
 * when the change it records was committed. Appends of one practice serialise on its head row.
 */
export class AuditLog {
  private readonly clock: () => Date;

  constructor(
    private readonly store: AuditStore,
    private readonly options: AuditLogOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  async append(scope: PracticeScope, event: AuditEvent): Promise<AppendedEntry> {
    const head = await this.store.lockHead(scope, event.practiceId);
    const fields: AuditEntryFields = {
      practiceId: event.practiceId,
      seq: head.seq + 1,
      // Taken under the lock, so times follow the order of the log (unless the clock steps back).
      occurredAt: this.clock().toISOString(),
      actorUserId: event.actorUserId ?? null,
      deviceId: event.deviceId ?? null,
      action: event.action,
      targetId: event.targetId ?? null,
      ciphertextHash: event.ciphertextHash ?? null,
    };
    const problem = auditEntryProblem(fields);
    if (problem !== undefined) throw new TypeError(`audit event refused: ${problem}`);
    const entryHash = auditChainHash(head.headHash, fields);
    await this.store.appendEntry(scope, { ...fields, entryHash });
    this.options.onAppend?.(event.practiceId, fields.seq);
    return { seq: fields.seq, entryHash };
  }
}
