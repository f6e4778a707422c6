import { createHmac, randomBytes } from 'node:crypto';
import type { accounts } from '@tresor/sdk/contract';
import {
  type Ed25519PublicKey,
  base64urlToBytes,
  isEnvelope,
  utf8ToBytes,
  verifySignature,
} from '@tresor/crypto';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AccountsStore } from './accounts.store.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordProofChecker } from './login.service.js';
import type { OpaqueServer } from './opaque-server.js';
import { PendingStore } from './pending-logins.js';

/** The recovery proof: the recovery code's Ed25519 key signs this prefix and the challenge. */
export function recoveryProofMessage(challenge: Uint8Array): Uint8Array {
  const prefix = utf8ToBytes('tresor/recovery-proof/v1');
  const message = new Uint8Array(prefix.length + challenge.length);
  message.set(prefix);
  message.set(challenge, prefix.length);
  return message;
}

interface PendingRecovery {
  readonly username: string;
  readonly user: { id: string; practiceId: string } | undefined;
  readonly challenge: Uint8Array;
}

/**
 * Password change and account recovery. Both re-register OPAQUE and re-wrap the unchanged user
 * key (practice keys and data stay untouched) and end other sessions. A password change needs,
 * besides the session, a fresh OPAQUE login with the current password (see LoginService's
 * password proof). Recovery proves the recovery code by a signature with the key derived from
 * it; the code never leaves the client.
 */
export class CredentialsService {
  private readonly recoveries = new PendingStore<PendingRecovery>(5 * 60 * 1000);

  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
    private readonly throttle: LoginThrottle,
    private readonly opaque: OpaqueServer,
  ) {}

  /**
   * Checks the proof of the current password first: a session alone (an unlocked browser, a
   * stolen token) cannot change the password. A wrong password changes nothing.
   * @throws AppError `auth.login_failed` (wrong current password), `auth.login_expired`.
   */
  async changePassword(
    auth: AuthContext,
    body: accounts.PasswordChangeBody,
    client: { ip: string; userAgent: string | undefined },
    proofs: PasswordProofChecker,
  ): Promise<{ revokedSessions: number }> {
    await proofs.checkPasswordProof(auth, body, client);
    if (!isEnvelope(body.userKeyByPassword)) throw new AppError('accounts.invalid_key_material');
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await tx.updateUser(auth.userId, {
        opaqueRecord: body.registrationRecord,
        userKeyByPassword: body.userKeyByPassword,
      });
      const revoked = await tx.revokeSessions({ userId: auth.userId, exceptId: auth.sessionId }, new Date());
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'auth.password_changed',
        targetId: auth.userId,
      });
      return { revokedSessions: revoked.length };
    });
  }

  /**
   * Unknown users get a well-formed fake answer, the same one at every call (derived from the
   * name and a server secret), so recovery reveals no account names.
   */
  async startRecovery(username: string, ip: string): Promise<accounts.RecoveryStartReply> {
    const name = username.toLowerCase();
    await this.throttle.attempt(`recovery:${name}`, ip);
    const hit = await this.store.lookup('username', name);
    const user = hit && (await this.store.inPractice(hit.practiceId, (tx) => tx.user(hit.targetId)));
    const active = user?.status === 'active' ? user : undefined;
    const challenge = randomBytes(32);
    const recoveryId = this.recoveries.put({
      username: name,
      user: active && { id: active.id, practiceId: active.practiceId },
      challenge,
    });
    const answer = active
      ? {
          practiceId: active.practiceId,
          userId: active.id,
          userKeyByRecovery: active.userKeyByRecovery as accounts.RecoveryStartReply['userKeyByRecovery'],
        }
      : fakeRecoveryAnswer(this.opaque.fakeSeed('tresor/recovery-fake/v1', name));
    return { recoveryId, challenge: challenge.toString('base64url'), ...answer };
  }

  async finishRecovery(body: accounts.RecoveryFinishBody): Promise<void> {
    const pending = this.recoveries.take(body.recoveryId);
    if (pending?.user === undefined) throw new AppError('recovery.failed');
    const { id: userId, practiceId } = pending.user;
    const ok = await this.store.inPractice(practiceId, async (tx) => {
      const user = await tx.user(userId);
      if (user?.status !== 'active' || !isEnvelope(body.userKeyByPassword)) return false;
      const signature = safeBytes(body.signature);
      const key = safeBytes(user.recoveryPublicKey);
      if (
        signature === undefined ||
        key === undefined ||
        !verifySignature(key as Ed25519PublicKey, recoveryProofMessage(pending.challenge), signature)
      ) {
        return false;
      }
      await tx.updateUser(userId, {
        opaqueRecord: body.registrationRecord,
        userKeyByPassword: body.userKeyByPassword,
      });
      await tx.revokeSessions({ userId }, new Date());
      await this.audit.append(tx.scope, {
        practiceId,
        actorUserId: userId,
        action: 'auth.recovered',
        targetId: userId,
      });
      return true;
    });
    if (!ok) {
      await this.store.inPractice(practiceId, (tx) =>
        this.audit.append(tx.scope, {
          practiceId,
          actorUserId: userId,
          action: 'auth.recovery_failed',
          targetId: userId,
        }),
      );
      throw new AppError('recovery.failed');
    }
    this.throttle.recordSuccess(`recovery:${pending.username}`);
  }
}

/**
 * What a real user's answer looks like (random v4 ids, the user key wrapped by the SDK: 12-byte
 * nonce, 32-byte key + 16-byte tag), with every value derived from the per-name seed.
 */
function fakeRecoveryAnswer(
  seed: Buffer,
): Pick<accounts.RecoveryStartReply, 'practiceId' | 'userId' | 'userKeyByRecovery'> {
  const bytes = (label: string, length: number) => {
    const out: Buffer[] = [];
    for (let block = 0; out.length * 32 < length; block++) {
      out.push(createHmac('sha256', seed).update(`${label}/${block}`).digest());
    }
    return Buffer.concat(out).subarray(0, length);
  };
  return {
    practiceId: uuidV4From(bytes('practiceId', 16)),
    userId: uuidV4From(bytes('userId', 16)),
    userKeyByRecovery: {
      v: 1,
      alg: 'A256GCM',
      kid: 'uk-recovery',
      nonce: bytes('nonce', 12).toString('base64url'),
      ct: bytes('ct', 48).toString('base64url'),
    },
  };
}

function uuidV4From(bytes: Buffer): string {
  const b = Buffer.from(bytes);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function safeBytes(value: string): Uint8Array | undefined {
  try {
    return base64urlToBytes(value);
  } catch {
    return undefined;
  }
}
