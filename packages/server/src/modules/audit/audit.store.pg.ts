import { AUDIT_CHAIN_GENESIS, type AuditCheckpoint, type AuditEntry } from '@tresor/crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditCheckpointTable, AuditEntryTable, Schema } from '../../platform/db/schema.js';
import { type PracticeScope, withPractice } from '../../platform/db/tenant.js';
import type { AuditHead, AuditStore, InPracticeOptions, StoredCheckpoint } from './audit.store.js';

/** Row-level security confines every statement to the practice of the transaction. */
export class PgAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Schema>) {}

  inPractice<T>(
    practiceId: string,
    work: (scope: PracticeScope) => Promise<T>,
    options: InPracticeOptions = {},
  ): Promise<T> {
    return withPractice(this.db, practiceId, async (scope) => {
      // `set local role none` returns to the session's (owning) role until the transaction ends.
      if (options.asOwner === true) await sql`set local role none`.execute(scope);
      return work(scope);
    });
  }

  async lockHead(scope: PracticeScope, practiceId: string): Promise<AuditHead> {
    // One statement once the practice has a log; the empty head is created on its first append.
    const existing = await this.lockExistingHead(scope, practiceId);
    if (existing !== undefined) return existing;
    await scope
      .insertInto('audit_heads')
      .values({ practice_id: practiceId, seq: 0, head_hash: AUDIT_CHAIN_GENESIS })
      .onConflict((conflict) => conflict.column('practice_id').doNothing())
      .execute();
    const head = await this.lockExistingHead(scope, practiceId);
    if (head === undefined) throw new Error('audit head vanished while locking it');
    return head;
  }

  async lockExistingHead(scope: PracticeScope, practiceId: string): Promise<AuditHead | undefined> {
    const row = await scope
      .selectFrom('audit_heads')
      .select(['seq', 'head_hash'])
      .where('practice_id', '=', practiceId)
      .forUpdate()
      .executeTakeFirst();
    return row && { seq: toPosition(row.seq), headHash: row.head_hash };
  }

  async head(scope: PracticeScope, practiceId: string): Promise<AuditHead | undefined> {
    const row = await scope
      .selectFrom('audit_heads')
      .select(['seq', 'head_hash'])
      .where('practice_id', '=', practiceId)
      .executeTakeFirst();
    return row && { seq: toPosition(row.seq), headHash: row.head_hash };
  }

  async moveHead(scope: PracticeScope, practiceId: string, head: AuditHead): Promise<void> {
    await scope
      .updateTable('audit_heads')
      .set({ seq: head.seq, head_hash: head.headHash })
      .where('practice_id', '=', practiceId)
      .execute();
  }

  async appendEntry(scope: PracticeScope, entry: AuditEntry): Promise<void> {
    // The entry and the moved head in one statement (one round trip per append).
    await scope
      .with('moved_head', (db) =>
        db
          .updateTable('audit_heads')
          .set({ seq: entry.seq, head_hash: entry.entryHash })
          .where('practice_id', '=', entry.practiceId)
          .returning('practice_id'),
      )
      .insertInto('audit_entries')
      .values({
        practice_id: entry.practiceId,
        seq: entry.seq,
        occurred_at: new Date(entry.occurredAt),
        actor_user_id: entry.actorUserId,
        device_id: entry.deviceId,
        action: entry.action,
        target_id: entry.targetId,
        ciphertext_hash: entry.ciphertextHash,
        entry_hash: entry.entryHash,
      })
      .execute();
  }

  async entries(
    scope: PracticeScope,
    practiceId: string,
    afterSeq: number,
    limit: number,
  ): Promise<AuditEntry[]> {
    const rows = await scope
      .selectFrom('audit_entries')
      .selectAll()
      .where('practice_id', '=', practiceId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async latestCheckpoint(scope: PracticeScope, practiceId: string): Promise<StoredCheckpoint | undefined> {
    const row = await scope
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('practice_id', '=', practiceId)
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { ...toCheckpoint(row), frontier: row.frontier === '' ? [] : row.frontier.split(',') };
  }

  async checkpoints(
    scope: PracticeScope,
    practiceId: string,
    afterTreeSize: number,
    limit: number,
  ): Promise<AuditCheckpoint[]> {
    const rows = await scope
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('practice_id', '=', practiceId)
      .where('tree_size', '>', afterTreeSize)
      .orderBy('tree_size')
      .limit(limit)
      .execute();
    return rows.map(toCheckpoint);
  }

  async insertCheckpoint(scope: PracticeScope, checkpoint: StoredCheckpoint): Promise<void> {
    await scope
      .insertInto('audit_checkpoints')
      .values({
        practice_id: checkpoint.practiceId,
        tree_size: checkpoint.treeSize,
        root_hash: checkpoint.rootHash,
        chain_head: checkpoint.chainHead,
        created_at: new Date(checkpoint.createdAt),
        signature: checkpoint.signature,
        frontier: checkpoint.frontier.join(','),
      })
      .execute();
  }
}

/** bigint columns arrive as strings (pg), numbers (PGlite) or bigints; logs stay below 2^53. */
function toPosition(value: string | number | bigint): number {
  const position = Number(value);
  if (!Number.isSafeInteger(position)) throw new RangeError(`audit position out of range: ${value}`);
  return position;
}

function toEntry(row: Selectable<AuditEntryTable>): AuditEntry {
  return {
    practiceId: row.practice_id,
    seq: toPosition(row.seq),
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorUserId: row.actor_user_id,
    deviceId: row.device_id,
    action: row.action,
    targetId: row.target_id,
    ciphertextHash: row.ciphertext_hash,
    entryHash: row.entry_hash,
  };
}

function toCheckpoint(row: Selectable<AuditCheckpointTable>): AuditCheckpoint {
  return {
    practiceId: row.practice_id,
    treeSize: toPosition(row.tree_size),
    rootHash: row.root_hash,
    chainHead: row.chain_head,
    createdAt: new Date(row.created_at).toISOString(),
    signature: row.signature,
  };
}
