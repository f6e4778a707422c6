import { randomBytes, randomUUID } from 'node:crypto';
import type { backup } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import {
  type BlobKey,
  BlobStoreError,
  type BlobStore,
  type ByteRange,
  parseBlobKey,
} from '../../platform/blob/blob-store.js';
import type { PracticeScope } from '../../platform/db/tenant.js';
import { hashToken } from '../../platform/secrets/tokens.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AuditEvent } from '../audit/index.js';
import type { BackupRepoStore, BackupRepoTx } from './backup-repo.store.js';
import type {
  BackupCaller,
  BackupCredential,
  BackupObject,
  ObjectKind,
  RetentionLock,
} from './backup-repo.types.js';

/** The audit log as this module needs it: an append in the caller's transaction. */
export interface BackupRepoAudit {
  append(scope: PracticeScope, event: AuditEvent): Promise<unknown>;
}

/** A byte range as a client asked for it: `end` (inclusive) may be open or past the size. */
export interface RequestedRange {
  readonly start: number;
  readonly end: number | undefined;
}

export interface BackupRepoLimits {
  /** Days an object cannot be deleted by anyone after it was stored. */
  readonly lockDays: number;
  readonly quotaBytes: number;
  readonly maxObjectBytes: number;
  /** Seconds a retention lock lives unless its holder extends it. */
  readonly retentionLockSeconds: number;
}

const TOKEN_PREFIX = 'tbk_';

/**
 * The cloud side of a practice's backup repository: opaque encrypted objects, stored once and
 * never changed. Agent credentials add and read objects; only a retention credential deletes, and
 * only objects past the lock period (also enforced by a database trigger). Primary users create and
 * revoke credentials.
 *
 * A retention run first takes the practice's retention lock and deletes only while it holds it;
 * while the lock is live, nobody else can store objects. So the run's view of which packs the
 * snapshots need cannot go stale: a replicate cannot add a snapshot that needs a pack the run is
 * about to delete (such a replicate is refused and simply runs again later). Taking the lock waits
 * for stores already being recorded (an advisory lock orders the transactions).
 */
export class BackupRepoService {
  constructor(
    private readonly store: BackupRepoStore,
    private readonly blobs: BlobStore,
    private readonly audit: BackupRepoAudit,
    private readonly limits: BackupRepoLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  createCredential(
    auth: AuthContext,
    body: backup.CreateCredentialBody,
  ): Promise<{ credential: backup.CredentialView; token: string }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await tx.addCredential(
        { id, practiceId: auth.practiceId, name: body.name, kind: body.kind },
        auth.userId,
        hashToken(token),
      );
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: `backup.${body.kind}_credential_created`,
        targetId: id,
      });
      const credential = await tx.credential(id);
      if (credential === undefined) throw new Error('backup credential vanished');
      return { credential: credentialView(credential), token };
    });
  }

  credentials(auth: AuthContext): Promise<backup.CredentialView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) => (await tx.credentials()).map(credentialView));
  }

  revokeCredential(auth: AuthContext, id: string): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      if (!(await tx.revokeCredential(id, this.now()))) throw new AppError('backup.credential_not_found');
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'backup.credential_revoked',
        targetId: id,
      });
    });
  }

  /** The caller behind a backup token; undefined for unknown or revoked tokens. */
  async authenticate(token: string): Promise<BackupCaller | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const hit = await this.store.credentialOfToken(hashToken(token));
    if (hit === undefined) return undefined;
    const credential = await this.store.inPractice(hit.practiceId, (tx) => tx.credential(hit.credentialId));
    if (credential?.revokedAt !== null) return undefined;
    return { practiceId: hit.practiceId, credentialId: credential.id, kind: credential.kind };
  }

  /**
   * Stores an object once. The same name with the same bytes again is fine (a resumed upload);
   * with other bytes it is refused, and what is stored stays as it was.
   *
   * The blob is written (durable) first, then recorded. Blobs are content-addressed and shared
   * (other objects, other practices, document chunks), so a request that wrote the same bytes and
   * failed may have deleted the blob meanwhile: the recording checks under the blob's lock (which
   * every deletion takes too) that it is still there, and is refused as a retryable conflict
   * otherwise. Whatever keeps the blob from being recorded, it is deleted again under that lock
   * unless something refers to it: no object without its blob, no blob left unreferenced.
   */
  async put(
    caller: BackupCaller,
    kind: ObjectKind,
    name: string,
    body: AsyncIterable<Uint8Array>,
    declaredBytes: number | undefined,
  ): Promise<backup.ObjectView> {
    if (declaredBytes !== undefined && declaredBytes > this.limits.maxObjectBytes) {
      throw new AppError('request.too_large');
    }
    const before = await this.store.inPractice(caller.practiceId, async (tx) => {
      await refuseDuringRetention(tx, caller);
      return { existing: await tx.object(kind, name), usage: await tx.usage() };
    });
    // Early, before the upload (the quota is checked again where the object is added).
    if (before.existing === undefined && declaredBytes !== undefined)
      this.checkQuota(before.usage.bytes, declaredBytes);
    const stored = await this.storeBlob(body);
    let outcome: BackupObject | 'conflict' | 'forgotten';
    try {
      outcome = await this.store.inPractice(caller.practiceId, async (tx) => {
        await tx.serialize('shared');
        await refuseDuringRetention(tx, caller);
        // One store of the practice at a time from here to the commit: the quota checked below
        // sees every object added before, and this one is added before the next checks.
        await tx.holdUsage();
        // The blob was just written anew from these bytes: sound again if the scrub found it
        // damaged (this is how an agent repairs the cloud copy).
        await tx.clearBlobDamage(stored.key);
        const existing = await tx.object(kind, name);
        if (existing !== undefined)
          return existing.blobKey === stored.key ? { ...existing, damaged: false } : ('conflict' as const);
        if (kind === 'snapshots' && (await tx.isForgottenSnapshot(name))) return 'forgotten' as const;
        this.checkQuota((await tx.usage()).bytes, stored.size);
        await tx.lockBlobs([stored.key]);
        if ((await this.blobs.head(stored.key)) === undefined) throw new AppError('request.conflict');
        const object = await tx.addObject(
          { kind, name, blobKey: stored.key, size: stored.size },
          caller.credentialId,
          this.limits.lockDays,
        );
        if (object === undefined) return 'conflict' as const;
        if (kind === 'snapshots' || kind === 'keys' || kind === 'config') {
          await this.audit.append(tx.scope, {
            practiceId: caller.practiceId,
            action: `backup.${kind === 'snapshots' ? 'snapshot' : kind}_stored`,
            targetId: `${kind}:${name}`,
            ciphertextHash: stored.key,
          });
        }
        return object;
      });
    } catch (error) {
      // The original error is the answer; a blob this cleanup cannot delete now (the database
      // gone too) is left behind.
      await this.discard(caller.practiceId, stored.key).catch(() => undefined);
      throw error;
    }
    if (outcome === 'conflict' || outcome === 'forgotten') {
      await this.discard(caller.practiceId, stored.key);
      throw new AppError(outcome === 'conflict' ? 'backup.object_exists' : 'backup.snapshot_forgotten');
    }
    return objectView(outcome);
  }

  /**
   * The object's bytes, or with `range` (an HTTP `Range: bytes=start-[end]`, end inclusive and
   * clipped to the size) only those: a pack's blobs can be fetched without the whole pack.
   * @throws AppError request.range_not_satisfiable when `start` lies beyond the object.
   */
  async get(caller: BackupCaller, kind: ObjectKind, name: string, range?: RequestedRange) {
    const { object, slice } = await this.locate(caller, kind, name, range);
    const content = await this.blobs.get(object.blobKey as BlobKey, slice);
    if (content === undefined) throw new AppError('backup.object_not_found');
    return { object: objectView(object), content, range: slice };
  }

  /** What {@link get} would answer, without the bytes: the blob is looked up, not read. */
  async head(caller: BackupCaller, kind: ObjectKind, name: string, range?: RequestedRange) {
    const { object, slice } = await this.locate(caller, kind, name, range);
    if ((await this.blobs.head(object.blobKey as BlobKey)) === undefined) {
      throw new AppError('backup.object_not_found');
    }
    return { object: objectView(object), range: slice };
  }

  private async locate(caller: BackupCaller, kind: ObjectKind, name: string, range?: RequestedRange) {
    const object = await this.store.inPractice(caller.practiceId, (tx) => tx.object(kind, name));
    if (object === undefined) throw new AppError('backup.object_not_found');
    const { size } = object;
    let slice: ByteRange | undefined;
    if (range !== undefined) {
      if (range.start >= size) throw new AppError('request.range_not_satisfiable');
      slice = { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
    }
    return { object, slice };
  }

  list(caller: BackupCaller, kind: ObjectKind | undefined): Promise<backup.ObjectView[]> {
    return this.store.inPractice(caller.practiceId, async (tx) => (await tx.objects(kind)).map(objectView));
  }

  /** Snapshot names a retention run deleted: `replicate` does not offer them again. */
  forgottenSnapshots(caller: BackupCaller): Promise<string[]> {
    return this.store.inPractice(caller.practiceId, (tx) => tx.forgottenSnapshots());
  }

  usage(caller: BackupCaller | AuthContext) {
    return this.store.inPractice(caller.practiceId, async (tx) => ({
      ...(await tx.usage()),
      quotaBytes: this.limits.quotaBytes,
      lockDays: this.limits.lockDays,
    }));
  }

  /**
   * Retention credentials only, holding the live retention lock `lockId`, and only once the
   * object's lock period has passed.
   */
  async delete(
    caller: BackupCaller,
    kind: ObjectKind,
    name: string,
    lockId: string | undefined,
  ): Promise<void> {
    if (caller.kind !== 'retention') throw new AppError('backup.retention_only');
    const deleted = await this.store.inPractice(caller.practiceId, async (tx) => {
      const lock = await tx.liveRetentionLock();
      if (lock === undefined || lock.id !== lockId || lock.credentialId !== caller.credentialId) {
        throw new AppError('backup.retention_lock_required');
      }
      const object = await tx.object(kind, name);
      if (object === undefined) throw new AppError('backup.object_not_found');
      if (!(await tx.deleteUnlockedObject(kind, name))) throw new AppError('backup.object_locked');
      if (kind === 'snapshots') await tx.addForgottenSnapshot(name);
      await this.audit.append(tx.scope, {
        practiceId: caller.practiceId,
        action: 'backup.object_deleted',
        targetId: `${kind}:${name}`,
        ciphertextHash: object.blobKey,
      });
      return object;
    });
    await this.discard(caller.practiceId, deleted.blobKey);
  }

  /** Takes the practice's retention lock; refused while another run holds it. */
  async lockRetention(caller: BackupCaller): Promise<backup.RetentionLockView> {
    if (caller.kind !== 'retention') throw new AppError('backup.retention_only');
    return this.store.inPractice(caller.practiceId, async (tx) => {
      await tx.serialize('exclusive');
      if ((await tx.liveRetentionLock()) !== undefined) throw new AppError('backup.retention_running');
      const lock = await tx.setRetentionLock(
        { id: randomUUID(), credentialId: caller.credentialId },
        this.limits.retentionLockSeconds,
      );
      return retentionLockView(lock);
    });
  }

  /** Extends a live lock by its holder; an expired (or replaced) one is lost for good. */
  async extendRetentionLock(caller: BackupCaller, id: string): Promise<backup.RetentionLockView> {
    if (caller.kind !== 'retention') throw new AppError('backup.retention_only');
    return this.store.inPractice(caller.practiceId, async (tx) => {
      await tx.serialize('exclusive');
      const live = await tx.liveRetentionLock();
      if (live?.id !== id || live.credentialId !== caller.credentialId) {
        throw new AppError('backup.retention_lock_lost');
      }
      return retentionLockView(await tx.setRetentionLock(live, this.limits.retentionLockSeconds));
    });
  }

  /** Ends a retention run's lock (nothing happens if it has already expired or ended). */
  async unlockRetention(caller: BackupCaller, id: string): Promise<void> {
    if (caller.kind !== 'retention') throw new AppError('backup.retention_only');
    await this.store.inPractice(caller.practiceId, async (tx) => {
      await tx.serialize('exclusive');
      await tx.removeRetentionLock(id);
    });
  }

  private checkQuota(usedBytes: number, addedBytes: number): void {
    if (usedBytes + addedBytes > this.limits.quotaBytes) throw new AppError('backup.quota_exceeded');
  }

  private async storeBlob(body: AsyncIterable<Uint8Array>) {
    try {
      return await this.blobs.put(body, { maxBytes: this.limits.maxObjectBytes });
    } catch (error) {
      if (error instanceof BlobStoreError && error.code === 'blob.too_large')
        throw new AppError('request.too_large');
      throw error;
    }
  }

  /**
   * Deletes a blob no practice refers to (the store is content-addressed and shared), checked and
   * deleted under the blob's lock: never while a request that wrote the same bytes (an object or
   * a document chunk) is recording them.
   */
  private async discard(practiceId: string, key: string): Promise<void> {
    const blobKey = parseBlobKey(key);
    if (blobKey === undefined) return;
    await this.store.inPractice(practiceId, async (tx) => {
      await tx.lockBlobs([blobKey]);
      if (!(await tx.blobInUse(blobKey))) await this.blobs.delete(blobKey);
    });
  }
}

/** While a retention run holds the lock, only its own credential stores objects. */
async function refuseDuringRetention(tx: BackupRepoTx, caller: BackupCaller): Promise<void> {
  const lock = await tx.liveRetentionLock();
  if (lock !== undefined && lock.credentialId !== caller.credentialId) {
    throw new AppError('backup.retention_running');
  }
}

function retentionLockView(lock: RetentionLock): backup.RetentionLockView {
  return { id: lock.id, expiresAt: lock.expiresAt.toISOString() };
}

function credentialView(credential: BackupCredential): backup.CredentialView {
  return {
    id: credential.id,
    name: credential.name,
    kind: credential.kind,
    createdAt: credential.createdAt.toISOString(),
    revokedAt: credential.revokedAt?.toISOString() ?? null,
  };
}

function objectView(object: BackupObject): backup.ObjectView {
  return {
    kind: object.kind,
    name: object.name,
    size: object.size,
    sha256: object.blobKey,
    createdAt: object.createdAt.toISOString(),
    lockedUntil: object.lockedUntil.toISOString(),
    damaged: object.damaged,
  };
}
