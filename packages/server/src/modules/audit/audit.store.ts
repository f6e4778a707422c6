import type { AuditCheckpoint, AuditEntry } from '@tresor/crypto';
import type { PracticeScope } from '../../platform/db/tenant.js';

/** The newest entry of a practice's log: its seq (0 when empty) and chain hash. */
export interface AuditHead {
  readonly seq: number;
  readonly headHash: string;
}

/** A checkpoint as stored: with the frontier of its tree, so the next one need not reread the log. */
export interface StoredCheckpoint extends AuditCheckpoint {
  /** Hex roots of the perfect subtrees of the tree at `treeSize`, largest first (not signed). */
  readonly frontier: readonly string[];
}

export interface InPracticeOptions {
  /** Act as the owning database role instead of the application role (verification only). */
  readonly asOwner?: boolean;
}

/**
 * Storage of audit logs. Every method except `inPractice` runs in a practice transaction that
 * the caller opened, so an append commits or rolls back together with the change it records.
 */
export interface AuditStore {
  inPractice<T>(
    practiceId: string,
    work: (scope: PracticeScope) => Promise<T>,
    options?: InPracticeOptions,
  ): Promise<T>;
  /** Locks the head until the transaction ends, creating an empty head first if there is none. */
  lockHead(scope: PracticeScope, practiceId: string): Promise<AuditHead>;
  /** Locks the head until the transaction ends; undefined while the practice has no log. */
  lockExistingHead(scope: PracticeScope, practiceId: string): Promise<AuditHead | undefined>;
  head(scope: PracticeScope, practiceId: string): Promise<AuditHead | undefined>;
  moveHead(scope: PracticeScope, practiceId: string, head: AuditHead): Promise<void>;
  /** Inserts the entry and moves the head to it (the head must be locked by the caller). */
  appendEntry(scope: PracticeScope, entry: AuditEntry): Promise<void>;
  /** Entries with seq > afterSeq, ascending, at most `limit`. */
  entries(scope: PracticeScope, practiceId: string, afterSeq: number, limit: number): Promise<AuditEntry[]>;
  latestCheckpoint(scope: PracticeScope, practiceId: string): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints with tree size > afterTreeSize, ascending, at most `limit`. */
  checkpoints(
    scope: PracticeScope,
    practiceId: string,
    afterTreeSize: number,
    limit: number,
  ): Promise<AuditCheckpoint[]>;
  insertCheckpoint(scope: PracticeScope, checkpoint: StoredCheckpoint): Promise<void>;
}
