import type { PracticeScope } from '../../platform/db/tenant.js';
import type { BackupCredential, BackupObject, ObjectKind, RetentionLock } from './backup-repo.types.js';

/** Storage of the backup repository module. Practice data is reached only inside `inPractice`. */
export interface BackupRepoStore {
  /** Global token lookup: the credential a token hash belongs to. */
  credentialOfToken(tokenHash: string): Promise<{ practiceId: string; credentialId: string } | undefined>;
  inPractice<T>(practiceId: string, work: (tx: BackupRepoTx) => Promise<T>): Promise<T>;
}

export interface BackupRepoTx {
  readonly scope: PracticeScope;
  addCredential(
    credential: Omit<BackupCredential, 'createdAt' | 'revokedAt'>,
    createdBy: string,
    tokenHash: string,
  ): Promise<void>;
  credential(id: string): Promise<BackupCredential | undefined>;
  credentials(): Promise<BackupCredential[]>;
  /** Marks it revoked and forgets its token; false when it was not active. */
  revokeCredential(id: string, at: Date): Promise<boolean>;

  object(kind: ObjectKind, name: string): Promise<BackupObject | undefined>;
  objects(kind: ObjectKind | undefined): Promise<BackupObject[]>;
  /**
   * Stores an object row, stamped and locked by the database clock (now + lockDays); undefined
   * (nothing written) when the name is taken.
   */
  addObject(
    object: Pick<BackupObject, 'kind' | 'name' | 'blobKey' | 'size'>,
    createdBy: string,
    lockDays: number,
  ): Promise<BackupObject | undefined>;
  /**
   * Forgets the integrity scrub's finding that this blob was damaged (global `blob_damage`): the
   * blob was just written anew from bytes that hash to its key.
   */
  clearBlobDamage(blobKey: string): Promise<void>;
  /** Deletes the object if its lock period has passed (database clock); false otherwise. */
  deleteUnlockedObject(kind: ObjectKind, name: string): Promise<boolean>;
  usage(): Promise<{ objects: number; bytes: number }>;
  /** Records that a retention run deleted snapshot `name` (idempotent). */
  addForgottenSnapshot(name: string): Promise<void>;
  isForgottenSnapshot(name: string): Promise<boolean>;
  /** Every snapshot name a retention run deleted, sorted. */
  forgottenSnapshots(): Promise<string[]>;

  /**
   * Orders this transaction against others of the practice until it ends: 'shared' for storing
   * objects (many at once), 'exclusive' for taking or extending the retention lock.
   */
  serialize(mode: 'shared' | 'exclusive'): Promise<void>;
  /**
   * Holds the practice's usage until the transaction ends: transactions that check the quota
   * and add an object run one after the other, so each sees the objects the others added.
   */
  holdUsage(): Promise<void>;
  /**
   * Holds these blob keys until the transaction ends (the lock every module takes for a blob:
   * see `lockBlobKeys`): a reference is recorded, and an unused blob found unused and deleted,
   * only under its key's lock.
   */
  lockBlobs(blobKeys: readonly string[]): Promise<void>;
  /** True when any practice still refers to the blob (document chunks, backup objects). */
  blobInUse(blobKey: string): Promise<boolean>;
  /** The practice's retention lock while it is live (database clock). */
  liveRetentionLock(): Promise<RetentionLock | undefined>;
  /** Writes the practice's one lock row: `lock`, expiring `seconds` from now (database clock). */
  setRetentionLock(lock: Pick<RetentionLock, 'id' | 'credentialId'>, seconds: number): Promise<RetentionLock>;
  /** Removes the lock row if it is lock `id` (live or expired). */
  removeRetentionLock(id: string): Promise<void>;
}
