import type { accounts } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext, Role } from '../../platform/http/auth-guard.js';
import type { AccountsStore, AccountsTx } from './accounts.store.js';
import type { StoredGrant, User } from './accounts.types.js';
import type { AuditRecorder } from './audit-recorder.js';

export function memberView(user: User, grants: readonly StoredGrant[]): accounts.MemberView {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    status: user.status,
    encryptionPublicKey: user.encryptionPublicKey,
    signingPublicKey: user.signingPublicKey,
    keyVersions: grants.filter((g) => g.recipientUserId === user.id).map((g) => g.pkVersion),
  };
}

/**
 * The members of a practice: listing (with public keys), role changes and removal. Primary users
 * may change roles and remove users; a practice always keeps at least one active primary user.
 * Removing a user takes effect at once (sessions, devices, login name); the practice key is then
 * rotated by the primary's client (see PracticeKeysService.rotate).
 */
export class MembersService {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(auth: AuthContext): Promise<accounts.MembersReply> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const [practice, users, grants] = await Promise.all([tx.practice(), tx.users(), tx.grants()]);
      if (practice === undefined) throw new AppError('auth.unauthenticated');
      return {
        currentPkVersion: practice.currentPkVersion,
        members: users.map((u) => memberView(u, grants)),
      };
    });
  }

  changeRole(auth: AuthContext, userId: string, role: Role): Promise<accounts.MemberView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const user = await this.activeMember(tx, userId);
      if (user.role !== role) {
        if (role === 'secondary') await assertAnotherPrimary(tx, user);
        await tx.updateUser(user.id, { role });
        // A secondary user cannot hand over keys, so invites that pin their key are withdrawn.
        if (role === 'secondary') await this.revokeInvitesOf(tx, user.id);
        await this.audit.append(tx.scope, {
          practiceId: auth.practiceId,
          actorUserId: auth.userId,
          deviceId: auth.deviceId,
          action: role === 'primary' ? 'user.promoted' : 'user.demoted',
          targetId: user.id,
        });
      }
      const updated = await tx.user(user.id);
      if (updated === undefined) throw new AppError('users.not_found');
      return memberView(updated, await tx.grants());
    });
  }

  /**
   * Removes a user at once: status 'removed', all their devices and sessions revoked (their tokens
   * stop working with the next request), their login name freed, their pending invites revoked.
   */
  remove(auth: AuthContext, userId: string): Promise<accounts.RemoveUserReply> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const user = await this.activeMember(tx, userId);
      if (user.role === 'primary') await assertAnotherPrimary(tx, user);
      const now = this.now();
      await tx.updateUser(user.id, { status: 'removed' });
      const devices = (await tx.devices(user.id)).filter((d) => d.status !== 'revoked');
      for (const device of devices) await tx.updateDevice(device.id, { status: 'revoked' });
      const sessions = await tx.revokeSessions({ userId: user.id }, now);
      await tx.removeLookup('username', user.username);
      const invites = await this.revokeInvitesOf(tx, user.id);
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: 'user.removed',
        targetId: user.id,
      });
      return { revokedSessions: sessions.length, revokedDevices: devices.length, revokedInvites: invites };
    });
  }

  /** Locks the practice (membership changes serialise) and returns the active user, or 404. */
  private async activeMember(tx: AccountsTx, userId: string): Promise<User> {
    await tx.lockPractice();
    const user = await tx.user(userId);
    if (user?.status !== 'active') throw new AppError('users.not_found');
    return user;
  }

  private async revokeInvitesOf(tx: AccountsTx, userId: string): Promise<number> {
    let revoked = 0;
    for (const invite of await tx.invites()) {
      if (invite.createdBy !== userId) continue;
      if (await tx.revokeInvite(invite.id, this.now())) {
        await tx.removeLookupsOf('invite', invite.id);
        revoked++;
      }
    }
    return revoked;
  }
}

async function assertAnotherPrimary(tx: AccountsTx, user: User): Promise<void> {
  const others = (await tx.users()).filter(
    (u) => u.id !== user.id && u.status === 'active' && u.role === 'primary',
  );
  if (others.length === 0) throw new AppError('users.last_primary');
}
