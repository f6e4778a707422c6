import type { accounts } from '@tresor/sdk/contract';
import { isPracticeKeyGrant } from '@tresor/crypto';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AccountsStore, AccountsTx } from './accounts.store.js';
import type { Practice, User } from './accounts.types.js';
import type { AuditRecorder } from './audit-recorder.js';
import { grantIsSignedBy } from './practices.service.js';

interface Granting {
  readonly practice: Practice;
  readonly granter: User;
}

/**
 * Practice-key grants between users. The server can neither read nor forge a grant; it checks
 * what it can so that a broken or malicious client cannot store nonsense: the caller is the
 * granter and a primary user, the signature verifies with the caller's stored signing key, the
 * recipient is an active member, and the version exists (rotation: is exactly the next one).
 */
export class PracticeKeysService {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
  ) {}

  /** Hands a practice-key version (the current or an older one) to an active member. */
  grant(
    auth: AuthContext,
    grant: accounts.GrantBody,
  ): Promise<{ pkVersion: number; recipientUserId: string }> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const { practice, granter } = await this.granting(tx, auth);
      const recipient = await tx.user(grant.recipientUserId);
      if (
        recipient?.status !== 'active' ||
        grant.pkVersion > practice.currentPkVersion ||
        !grantFrom(grant, granter, practice)
      ) {
        throw new AppError('grants.invalid');
      }
      await tx.addGrant({
        pkVersion: grant.pkVersion,
        recipientUserId: recipient.id,
        granterUserId: granter.id,
        body: grant,
      });
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'practice_key.granted',
        targetId: recipient.id,
      });
      return { pkVersion: grant.pkVersion, recipientUserId: recipient.id };
    });
  }

  /**
   * A new practice-key version, granted in one step to exactly the active members who hold the
   * current version (members still waiting for their first hand-over are not included: they get
   * the key only after a primary compared fingerprints with them). Stores the grants and bumps the
   * practice's current version in one transaction.
   */
  rotate(
    auth: AuthContext,
    body: accounts.RotatePracticeKeyBody,
  ): Promise<{ pkVersion: number; recipients: number }> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const { practice, granter } = await this.granting(tx, auth);
      const [users, current] = await Promise.all([
        tx.users(),
        tx.grants({ pkVersion: practice.currentPkVersion }),
      ]);
      const active = new Set(users.filter((u) => u.status === 'active').map((u) => u.id));
      const holders = new Set(current.map((g) => g.recipientUserId).filter((id) => active.has(id)));
      const recipients = new Set(body.grants.map((g) => g.recipientUserId));
      const valid =
        body.pkVersion === practice.currentPkVersion + 1 &&
        recipients.size === body.grants.length &&
        recipients.size === holders.size &&
        [...recipients].every((id) => holders.has(id)) &&
        body.grants.every((g) => g.pkVersion === body.pkVersion && grantFrom(g, granter, practice));
      if (!valid) throw new AppError('grants.invalid');
      for (const grant of body.grants) {
        await tx.addGrant({
          pkVersion: body.pkVersion,
          recipientUserId: grant.recipientUserId,
          granterUserId: granter.id,
          body: grant,
        });
      }
      await tx.updatePractice({ currentPkVersion: body.pkVersion });
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'practice_key.rotated',
        targetId: auth.practiceId,
      });
      return { pkVersion: body.pkVersion, recipients: recipients.size };
    });
  }

  /** Locks the practice (key changes serialise with membership changes); the caller must be an active primary. */
  private async granting(tx: AccountsTx, auth: AuthContext): Promise<Granting> {
    const practice = await tx.lockPractice();
    const granter = await tx.user(auth.userId);
    if (practice === undefined || granter?.status !== 'active') throw new AppError('auth.unauthenticated');
    if (granter.role !== 'primary') throw new AppError('auth.forbidden');
    return { practice, granter };
  }
}

/** The grant is for this practice, names the caller as granter and carries the caller's signature. */
function grantFrom(grant: accounts.GrantBody, granter: User, practice: Practice): boolean {
  return (
    isPracticeKeyGrant(grant) &&
    grant.practiceId === practice.id &&
    grant.granterUserId === granter.id &&
    grantIsSignedBy(grant, granter.signingPublicKey)
  );
}
