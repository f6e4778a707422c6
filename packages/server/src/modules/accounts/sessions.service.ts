import { createHash } from 'node:crypto';
import type { accounts } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext, SessionAuthenticator } from '../../platform/http/auth-guard.js';
import type { AccountsStore } from './accounts.store.js';
import type { Session } from './accounts.types.js';
import type { AuditRecorder } from './audit-recorder.js';
import { keyMaterialFor } from './key-material.js';
import { SESSION_IDLE_MS } from './login.service.js';
import { hashToken } from '../../platform/secrets/tokens.js';

/** Writes last-seen at most this often, so reads do not turn into writes. */
const TOUCH_INTERVAL_MS = 60 * 1000;

/**
 * Sessions: opaque random tokens stored only as SHA-256 hashes, with idle (30 min) and absolute
 * (12 h) expiry. A session counts only while its user is active and its device approved.
 */
export class SessionsService implements SessionAuthenticator {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async authenticate(token: string): Promise<AuthContext | undefined> {
    return this.store.sessionCheck(hashToken(token), {
      at: this.now(),
      idleMs: SESSION_IDLE_MS,
      touchAfterMs: TOUCH_INTERVAL_MS,
    });
  }

  list(auth: AuthContext, scope: 'own' | 'practice'): Promise<accounts.SessionView[]> {
    if (scope === 'practice' && auth.role !== 'primary') throw new AppError('auth.forbidden');
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const now = this.now();
      const sessions = await tx.sessions({
        activeAt: now,
        ...(scope === 'own' ? { userId: auth.userId } : {}),
      });
      return sessions.filter((s) => isActive(s, now)).map((s) => toView(s, auth.sessionId));
    });
  }

  /** Own sessions, or (primary) any session of the practice. */
  revoke(auth: AuthContext, sessionId: string): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const session = await tx.session(sessionId);
      if (session === undefined || (session.userId !== auth.userId && auth.role !== 'primary')) {
        throw new AppError('sessions.not_found');
      }
      await tx.revokeSessions({ ids: [sessionId] }, this.now());
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'session.revoked',
        targetId: sessionId,
      });
    });
  }

  revokeOthers(auth: AuthContext): Promise<number> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const revoked = await tx.revokeSessions({ userId: auth.userId, exceptId: auth.sessionId }, this.now());
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'session.revoked_others',
        targetId: auth.userId,
      });
      return revoked.length;
    });
  }

  logout(auth: AuthContext): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await tx.revokeSessions({ ids: [auth.sessionId] }, this.now());
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'auth.logout',
        targetId: auth.sessionId,
      });
    });
  }

  keyMaterial(auth: AuthContext): Promise<accounts.KeyMaterial> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const [user, practice] = await Promise.all([tx.user(auth.userId), tx.practice()]);
      if (user === undefined || practice === undefined) throw new AppError('auth.unauthenticated');
      return keyMaterialFor(tx, user, practice.currentPkVersion);
    });
  }

  /** Replaces my list of trusted granters (an envelope under my user key; opaque to the server). */
  setTrustedGranters(auth: AuthContext, body: accounts.TrustedGrantersBody): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await tx.updateUser(auth.userId, { trustedGranters: body.trustedGranters });
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'keys.trusted_granters_changed',
        targetId: auth.userId,
        ciphertextHash: createHash('sha256').update(body.trustedGranters.ct).digest('hex'),
      });
    });
  }
}

function isActive(session: Session, now: Date): boolean {
  return (
    session.revokedAt === null &&
    session.expiresAt > now &&
    now.getTime() - session.lastSeenAt.getTime() <= SESSION_IDLE_MS
  );
}

function toView(session: Session, currentId: string): accounts.SessionView {
  return {
    id: session.id,
    userId: session.userId,
    deviceId: session.deviceId,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    current: session.id === currentId,
  };
}
