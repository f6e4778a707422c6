import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  BackupCredentialTable,
  BackupObjectTable,
  BackupRetentionLockTable,
  Schema,
} from '../../platform/db/schema.js';
import { clearBlobDamage } from '../../platform/db/blob-damage.store.pg.js';
import { blobReferenced, lockBlobKeys } from '../../platform/db/blob-lock.js';
import { type PracticeScope, withPractice } from '../../platform/db/tenant.js';
import type { BackupRepoStore, BackupRepoTx } from './backup-repo.store.js';
import type { BackupCredential, BackupObject, ObjectKind, RetentionLock } from './backup-repo.types.js';

export class PgBackupRepoStore implements BackupRepoStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async credentialOfToken(tokenHash: string) {
    const row = await this.db
      .selectFrom('backup_credential_tokens')
      .select(['practice_id', 'credential_id'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && { practiceId: row.practice_id, credentialId: row.credential_id };
  }

  inPractice<T>(practiceId: string, work: (tx: BackupRepoTx) => Promise<T>): Promise<T> {
    return withPractice(this.db, practiceId, (scope) => work(new PgBackupRepoTx(scope, practiceId)));
  }
}

class PgBackupRepoTx implements BackupRepoTx {
  constructor(
    readonly scope: PracticeScope,
    private readonly practiceId: string,
  ) {}

  async addCredential(
    credential: Omit<BackupCredential, 'createdAt' | 'revokedAt'>,
    createdBy: string,
    tokenHash: string,
  ): Promise<void> {
    await this.scope
      .insertInto('backup_credentials')
      .values({
        id: credential.id,
        practice_id: this.practiceId,
        name: credential.name,
        kind: credential.kind,
        created_by: createdBy,
        revoked_at: null,
      })
      .execute();
    await this.scope
      .insertInto('backup_credential_tokens')
      .values({ token_hash: tokenHash, practice_id: this.practiceId, credential_id: credential.id })
      .execute();
  }

  async credential(id: string): Promise<BackupCredential | undefined> {
    const row = await this.scope
      .selectFrom('backup_credentials')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toCredential(row);
  }

  async credentials(): Promise<BackupCredential[]> {
    const rows = await this.scope
      .selectFrom('backup_credentials')
      .selectAll()
      .orderBy('created_at')
      .execute();
    return rows.map(toCredential);
  }

  async revokeCredential(id: string, at: Date): Promise<boolean> {
    const result = await this.scope
      .updateTable('backup_credentials')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await this.scope
      .deleteFrom('backup_credential_tokens')
      .where('credential_id', '=', id)
      .where('practice_id', '=', this.practiceId)
      .execute();
    return result.numUpdatedRows > 0n;
  }

  /** Object rows with whether the integrity scrub found their blob damaged (`blob_damage`). */
  private selectObjects() {
    return this.scope
      .selectFrom('backup_objects')
      .leftJoin('blob_damage', 'blob_damage.blob_key', 'backup_objects.blob_key')
      .selectAll('backup_objects')
      .select(sql<boolean>`blob_damage.blob_key is not null`.as('damaged'));
  }

  async object(kind: ObjectKind, name: string): Promise<BackupObject | undefined> {
    const row = await this.selectObjects()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toObject(row);
  }

  async objects(kind: ObjectKind | undefined): Promise<BackupObject[]> {
    let query = this.selectObjects().orderBy('kind').orderBy('name');
    if (kind !== undefined) query = query.where('kind', '=', kind);
    return (await query.execute()).map(toObject);
  }

  async addObject(
    object: Pick<BackupObject, 'kind' | 'name' | 'blobKey' | 'size'>,
    createdBy: string,
    lockDays: number,
  ): Promise<BackupObject | undefined> {
    const row = await this.scope
      .insertInto('backup_objects')
      .values({
        practice_id: this.practiceId,
        kind: object.kind,
        name: object.name,
        blob_key: object.blobKey,
        size: object.size,
        created_by: createdBy,
        locked_until: sql<Date>`now() + make_interval(days => ${lockDays}::integer)`,
      })
      .onConflict((conflict) => conflict.columns(['practice_id', 'kind', 'name']).doNothing())
      .returningAll()
      .executeTakeFirst();
    // Its blob was just written from bytes that hash to its key: sound.
    return row && toObject({ ...row, damaged: false });
  }

  clearBlobDamage(blobKey: string): Promise<void> {
    return clearBlobDamage(this.scope, blobKey);
  }

  async deleteUnlockedObject(kind: ObjectKind, name: string): Promise<boolean> {
    const result = await this.scope
      .deleteFrom('backup_objects')
      .where('kind', '=', kind)
      .where('name', '=', name)
      .where('locked_until', '<=', sql<Date>`now()`)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async usage(): Promise<{ objects: number; bytes: number }> {
    const row = await this.scope
      .selectFrom('backup_objects')
      .select((eb) => [eb.fn.countAll<string>().as('objects'), eb.fn.sum<string>('size').as('bytes')])
      .executeTakeFirst();
    return { objects: Number(row?.objects ?? 0), bytes: Number(row?.bytes ?? 0) };
  }

  async addForgottenSnapshot(name: string): Promise<void> {
    await this.scope
      .insertInto('backup_forgotten_snapshots')
      .values({ practice_id: this.practiceId, name })
      .onConflict((conflict) => conflict.columns(['practice_id', 'name']).doNothing())
      .execute();
  }

  async isForgottenSnapshot(name: string): Promise<boolean> {
    const row = await this.scope
      .selectFrom('backup_forgotten_snapshots')
      .select('name')
      .where('name', '=', name)
      .executeTakeFirst();
    return row !== undefined;
  }

  async forgottenSnapshots(): Promise<string[]> {
    const rows = await this.scope
      .selectFrom('backup_forgotten_snapshots')
      .select('name')
      .orderBy('name')
      .execute();
    return rows.map((row) => row.name);
  }

  async serialize(mode: 'shared' | 'exclusive'): Promise<void> {
    // A transaction-scoped advisory lock per practice, released at commit or rollback.
    const key = sql`hashtextextended(${`tresor.backup-retention:${this.practiceId}`}, 0)`;
    if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(${key})`.execute(this.scope);
    else await sql`select pg_advisory_xact_lock(${key})`.execute(this.scope);
  }

  async holdUsage(): Promise<void> {
    const key = sql`hashtextextended(${`tresor.backup-usage:${this.practiceId}`}, 0)`;
    await sql`select pg_advisory_xact_lock(${key})`.execute(this.scope);
  }

  lockBlobs(blobKeys: readonly string[]): Promise<void> {
    return lockBlobKeys(this.scope, blobKeys);
  }

  blobInUse(blobKey: string): Promise<boolean> {
    return blobReferenced(this.scope, blobKey);
  }

  async liveRetentionLock(): Promise<RetentionLock | undefined> {
    const row = await this.scope
      .selectFrom('backup_retention_locks')
      .selectAll()
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return row && toRetentionLock(row);
  }

  async setRetentionLock(
    lock: Pick<RetentionLock, 'id' | 'credentialId'>,
    seconds: number,
  ): Promise<RetentionLock> {
    const expiresAt = sql<Date>`now() + make_interval(secs => ${seconds}::integer)`;
    const row = await this.scope
      .insertInto('backup_retention_locks')
      .values({
        practice_id: this.practiceId,
        id: lock.id,
        credential_id: lock.credentialId,
        expires_at: expiresAt,
      })
      .onConflict((conflict) =>
        conflict.column('practice_id').doUpdateSet({
          id: lock.id,
          credential_id: lock.credentialId,
          created_at: sql<Date>`now()`,
          expires_at: expiresAt,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRetentionLock(row);
  }

  async removeRetentionLock(id: string): Promise<void> {
    await this.scope.deleteFrom('backup_retention_locks').where('id', '=', id).execute();
  }
}

function toRetentionLock(row: Selectable<BackupRetentionLockTable>): RetentionLock {
  return { id: row.id, credentialId: row.credential_id, expiresAt: row.expires_at };
}

function toCredential(row: Selectable<BackupCredentialTable>): BackupCredential {
  return {
    id: row.id,
    practiceId: row.practice_id,
    name: row.name,
    kind: row.kind,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function toObject(row: Selectable<BackupObjectTable> & { damaged: boolean }): BackupObject {
  return {
    damaged: row.damaged,
    kind: row.kind,
    name: row.name,
    blobKey: row.blob_key,
    size: Number(row.size),
    createdAt: row.created_at,
    lockedUntil: row.locked_until,
  };
}
