import { randomUUID } from 'node:crypto';
import type { accounts } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AccountsStore } from './accounts.store.js';
import type { Invite } from './accounts.types.js';
import type { AuditRecorder } from './audit-recorder.js';
import { memberView } from './members.service.js';
import { assertUserKeyMaterial } from './practices.service.js';
import { hashToken, newToken } from '../../platform/secrets/tokens.js';

const HOUR_MS = 60 * 60 * 1000;
export const INVITE_DEFAULT_HOURS = 72;

export type InviteState = accounts.InviteView['state'];

export function inviteState(invite: Invite, now: Date): InviteState {
  if (invite.acceptedAt !== null) return 'accepted';
  if (invite.revokedAt !== null) return 'revoked';
  return invite.expiresAt <= now ? 'expired' : 'pending';
}

/**
 * Invites: the only way a user joins an existing practice. A primary user creates a one-time
 * token (stored only as its SHA-256 hash); the invitee registers their own OPAQUE record and keys
 * with it. The invitee gets no practice key here: a primary hands it over afterwards with a
 * signed grant, once both screens showed the same key fingerprint.
 */
export class InvitesService {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(auth: AuthContext, body: accounts.CreateInviteBody): Promise<accounts.CreateInviteReply> {
    const hours = body.validForHours ?? INVITE_DEFAULT_HOURS;
    const inviteId = randomUUID();
    const { token, hash } = newToken();
    const expiresAt = new Date(this.now().getTime() + hours * HOUR_MS);
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await tx.addInvite({
        id: inviteId,
        practiceId: auth.practiceId,
        role: body.role,
        createdBy: auth.userId,
        expiresAt,
      });
      // 256 random bits: a collision means a broken random source, not bad luck.
      if (!(await tx.addLookup('invite', hash, inviteId))) throw new Error('invite token collision');
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'invite.created',
        targetId: inviteId,
      });
      return { inviteId, token, expiresAt: expiresAt.toISOString() };
    });
  }

  /** All invites of the practice; accepted ones carry the invitee's public keys for the fingerprint. */
  list(auth: AuthContext): Promise<accounts.InviteView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const [invites, users, grants] = await Promise.all([tx.invites(), tx.users(), tx.grants()]);
      const now = this.now();
      return invites.map((invite) => {
        const invitee = users.find((u) => u.id === invite.acceptedUserId);
        return {
          inviteId: invite.id,
          role: invite.role,
          createdBy: invite.createdBy,
          expiresAt: invite.expiresAt.toISOString(),
          state: inviteState(invite, now),
          acceptedAt: invite.acceptedAt?.toISOString() ?? null,
          invitee: invitee === undefined ? null : memberView(invitee, grants),
        };
      });
    });
  }

  revoke(auth: AuthContext, inviteId: string): Promise<void> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const invite = await tx.invite(inviteId);
      if (invite === undefined) throw new AppError('invites.not_found');
      if (!(await tx.revokeInvite(inviteId, this.now()))) throw new AppError('invites.invalid');
      await tx.removeLookupsOf('invite', inviteId);
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'invite.revoked',
        targetId: inviteId,
      });
    });
  }

  /**
   * Redeems an invite: new user (own OPAQUE record, wrapped keys, public keys) and their first
   * device, approved because the invite vouches for it. Unknown, expired, revoked or used
   * invites are refused alike (410) and change nothing.
   */
  async accept(body: accounts.AcceptInviteBody): Promise<accounts.AcceptInviteReply> {
    const { user, device } = body;
    const hit = await this.store.lookup('invite', hashToken(body.token));
    if (hit?.targetId !== body.inviteId || hit.practiceId !== body.practiceId) {
      throw new AppError('invites.invalid');
    }
    assertUserKeyMaterial(user);
    return this.store.inPractice(hit.practiceId, async (tx) => {
      const now = this.now();
      const invite = await tx.invite(body.inviteId);
      if (invite === undefined || inviteState(invite, now) !== 'pending')
        throw new AppError('invites.invalid');
      const inviter = await tx.user(invite.createdBy);
      if (inviter?.status !== 'active' || inviter.role !== 'primary') throw new AppError('invites.invalid');
      if (!(await tx.addLookup('username', user.username, user.userId))) {
        throw new AppError('accounts.username_taken');
      }
      const added = await tx.addUserIfNew({
        id: user.userId,
        practiceId: hit.practiceId,
        username: user.username,
        role: invite.role,
        status: 'active',
        opaqueRecord: user.registrationRecord,
        userKeyByPassword: user.userKeyByPassword,
        userKeyByRecovery: user.userKeyByRecovery,
        privateKeys: user.privateKeys,
        encryptionPublicKey: user.encryptionPublicKey,
        signingPublicKey: user.signingPublicKey,
        recoveryPublicKey: user.recoveryPublicKey,
      });
      const deviceAdded =
        added &&
        (await tx.addDeviceIfNew(
          {
            id: device.deviceId,
            practiceId: hit.practiceId,
            userId: user.userId,
            name: device.name,
            publicKey: device.publicKey,
            status: 'approved',
          },
          invite.createdBy,
        ));
      // Throwing rolls the whole transaction back, the username lookup included.
      if (!deviceAdded) throw new AppError('accounts.id_taken');
      if (!(await tx.markInviteAccepted(invite.id, user.userId, now))) throw new AppError('invites.invalid');
      await tx.removeLookupsOf('invite', invite.id);
      const actor = { practiceId: hit.practiceId, actorUserId: user.userId, deviceId: device.deviceId };
      await this.audit.append(tx.scope, { ...actor, action: 'invite.accepted', targetId: invite.id });
      await this.audit.append(tx.scope, { ...actor, action: 'user.created', targetId: user.userId });
      await this.audit.append(tx.scope, { ...actor, action: 'device.approved', targetId: device.deviceId });
      return { practiceId: hit.practiceId, userId: user.userId, deviceId: device.deviceId };
    });
  }
}
