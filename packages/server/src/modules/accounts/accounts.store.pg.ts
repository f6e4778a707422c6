import type { Kysely, Selectable } from 'kysely';
import type { DeviceTable, InviteTable, Schema, SessionTable, UserTable } from '../../platform/db/schema.js';
import { type PracticeScope, withPractice } from '../../platform/db/tenant.js';
import type {
  AccountsStore,
  AccountsTx,
  LoginCandidate,
  LoginContext,
  CheckedSession,
  LoginRecord,
  LookupHit,
  LookupKind,
  SessionCheckRules,
  UserPatch,
} from './accounts.store.js';
import {
  insertLogin,
  selectLoginCandidate,
  selectLoginContext,
  selectSessionCheck,
} from './login.queries.pg.js';
import type { Device, Invite, Session, StoredGrant, User } from './accounts.types.js';
import type { Insertable } from 'kysely';
import type { PracticeTable } from '../../platform/db/schema.js';
import type { Practice } from './accounts.types.js';

export class PgAccountsStore implements AccountsStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async lookup(kind: LookupKind, key: string): Promise<LookupHit | undefined> {
    const row = await this.db
      .selectFrom('tenant_lookup')
      .select(['practice_id', 'target_id'])
      .where('kind', '=', kind)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && { practiceId: row.practice_id, targetId: row.target_id };
  }

  loginCandidate(username: string): Promise<LoginCandidate | undefined> {
    return selectLoginCandidate(this.db, username);
  }

  loginContext(practiceId: string, userId: string, deviceId: string): Promise<LoginContext | undefined> {
    return selectLoginContext(this.db, practiceId, userId, deviceId);
  }

  sessionCheck(tokenHash: string, rules: SessionCheckRules): Promise<CheckedSession | undefined> {
    return selectSessionCheck(this.db, tokenHash, rules);
  }

  async practiceIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tenant_lookup')
      .select('practice_id')
      .distinct()
      .where('kind', '=', 'username')
      .orderBy('practice_id')
      .execute();
    return rows.map((row) => row.practice_id);
  }

  inPractice<T>(practiceId: string, work: (tx: AccountsTx) => Promise<T>): Promise<T> {
    return withPractice(this.db, practiceId, (scope) => work(new PgAccountsTx(scope, practiceId)));
  }
}

class PgAccountsTx implements AccountsTx {
  constructor(
    readonly scope: PracticeScope,
    private readonly practiceId: string,
  ) {}

  async addLookup(kind: LookupKind, key: string, targetId: string): Promise<boolean> {
    const result = await this.scope
      .insertInto('tenant_lookup')
      .values({ kind, key, practice_id: this.practiceId, target_id: targetId })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async removeLookup(kind: LookupKind, key: string): Promise<void> {
    await this.scope
      .deleteFrom('tenant_lookup')
      .where('kind', '=', kind)
      .where('key', '=', key)
      .where('practice_id', '=', this.practiceId)
      .execute();
  }

  async addPractice(practice: { id: string; name: string }): Promise<void> {
    await this.scope.insertInto('practices').values({ id: practice.id, name: practice.name }).execute();
  }

  async practice() {
    const row = await this.scope.selectFrom('practices').selectAll().executeTakeFirst();
    return (
      row && {
        id: row.id,
        name: row.name,
        requireTwoFactor: row.require_two_factor,
        currentPkVersion: row.current_pk_version,
      }
    );
  }

  async updatePractice(patch: { requireTwoFactor?: boolean; currentPkVersion?: number }): Promise<void> {
    await this.scope
      .updateTable('practices')
      .set({
        ...(patch.requireTwoFactor === undefined ? {} : { require_two_factor: patch.requireTwoFactor }),
        ...(patch.currentPkVersion === undefined ? {} : { current_pk_version: patch.currentPkVersion }),
      })
      .where('id', '=', this.practiceId)
      .execute();
  }

  async addUser(user: Omit<User, 'totpSecretSealed' | 'totpLastStep' | 'trustedGranters'>): Promise<void> {
    await this.scope
      .insertInto('users')
      .values({
        id: user.id,
        practice_id: user.practiceId,
        username: user.username,
        role: user.role,
        status: user.status,
        opaque_record: user.opaqueRecord,
        user_key_by_password: JSON.stringify(user.userKeyByPassword),
        user_key_by_recovery: JSON.stringify(user.userKeyByRecovery),
        private_keys: JSON.stringify(user.privateKeys),
        encryption_public_key: user.encryptionPublicKey,
        signing_public_key: user.signingPublicKey,
        recovery_public_key: user.recoveryPublicKey,
        totp_secret_sealed: null,
        totp_enrolled_at: null,
        totp_last_step: null,
      })
      .execute();
  }

  async user(id: string): Promise<User | undefined> {
    const row = await this.scope.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async users(): Promise<User[]> {
    const rows = await this.scope.selectFrom('users').selectAll().orderBy('created_at').execute();
    return rows.map(toUser);
  }

  async updateUser(id: string, patch: UserPatch): Promise<void> {
    await this.scope
      .updateTable('users')
      .set({
        updated_at: new Date(),
        ...(patch.role === undefined ? {} : { role: patch.role }),
        ...(patch.status === undefined ? {} : { status: patch.status }),
        ...(patch.opaqueRecord === undefined ? {} : { opaque_record: patch.opaqueRecord }),
        ...(patch.userKeyByPassword === undefined
          ? {}
          : { user_key_by_password: JSON.stringify(patch.userKeyByPassword) }),
        ...(patch.totpSecretSealed === undefined ? {} : { totp_secret_sealed: patch.totpSecretSealed }),
        ...(patch.totpLastStep === undefined || patch.totpLastStep === null
          ? {}
          : { totp_last_step: patch.totpLastStep }),
        ...(patch.totpEnrolledAt === undefined ? {} : { totp_enrolled_at: patch.totpEnrolledAt }),
        ...(patch.trustedGranters === undefined
          ? {}
          : { trusted_granters: JSON.stringify(patch.trustedGranters) }),
      })
      .where('id', '=', id)
      .execute();
  }

  loginContext(userId: string, deviceId: string): Promise<LoginContext | undefined> {
    return selectLoginContext(this.scope, this.practiceId, userId, deviceId);
  }

  recordLogin(login: LoginRecord): Promise<boolean> {
    return insertLogin(this.scope, {
      ...login,
      practiceId: this.practiceId,
      userAgent: login.userAgent?.slice(0, 300) ?? null,
    });
  }

  async addDevice(device: Omit<Device, 'createdAt' | 'lastSeenAt'>, approvedBy?: string): Promise<void> {
    const approved = device.status === 'approved';
    await this.scope
      .insertInto('devices')
      .values({
        id: device.id,
        practice_id: device.practiceId,
        user_id: device.userId,
        name: device.name,
        public_key: device.publicKey,
        status: device.status,
        approved_at: approved ? new Date() : null,
        approved_by: approved ? (approvedBy ?? null) : null,
        revoked_at: null,
        last_seen_at: null,
      })
      .execute();
  }

  async device(id: string): Promise<Device | undefined> {
    const row = await this.scope.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDevice(row);
  }

  async devices(userId?: string): Promise<Device[]> {
    let query = this.scope.selectFrom('devices').selectAll().orderBy('created_at');
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    return (await query.execute()).map(toDevice);
  }

  async updateDevice(
    id: string,
    patch: { name?: string; status?: 'approved' | 'revoked'; by?: string; lastSeenAt?: Date },
  ): Promise<void> {
    const now = new Date();
    await this.scope
      .updateTable('devices')
      .set({
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.status === 'approved'
          ? { status: 'approved', approved_at: now, approved_by: patch.by ?? null }
          : {}),
        ...(patch.status === 'revoked' ? { status: 'revoked', revoked_at: now } : {}),
        ...(patch.lastSeenAt === undefined ? {} : { last_seen_at: patch.lastSeenAt }),
      })
      .where('id', '=', id)
      .execute();
  }

  async addSession(
    session: Omit<Session, 'createdAt' | 'lastSeenAt' | 'revokedAt'> & {
      clientIp: string;
      userAgent: string | undefined;
    },
  ): Promise<void> {
    await this.scope
      .insertInto('sessions')
      .values({
        id: session.id,
        practice_id: session.practiceId,
        user_id: session.userId,
        device_id: session.deviceId,
        client_ip: session.clientIp,
        user_agent: session.userAgent?.slice(0, 300) ?? null,
        expires_at: session.expiresAt,
        revoked_at: null,
      })
      .execute();
  }

  async session(id: string): Promise<Session | undefined> {
    const row = await this.scope.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSession(row);
  }

  async sessions(filter: { userId?: string; activeAt: Date }): Promise<Session[]> {
    let query = this.scope
      .selectFrom('sessions')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', filter.activeAt)
      .orderBy('created_at');
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    return (await query.execute()).map(toSession);
  }

  async touchSession(id: string, at: Date): Promise<void> {
    await this.scope.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async revokeSessions(
    filter: { ids?: string[]; userId?: string; deviceId?: string; exceptId?: string },
    at: Date,
  ): Promise<string[]> {
    let query = this.scope.updateTable('sessions').set({ revoked_at: at }).where('revoked_at', 'is', null);
    if (filter.ids !== undefined) {
      if (filter.ids.length === 0) return [];
      query = query.where('id', 'in', filter.ids);
    }
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.deviceId !== undefined) query = query.where('device_id', '=', filter.deviceId);
    if (filter.exceptId !== undefined) query = query.where('id', '!=', filter.exceptId);
    const rows = await query.returning('id').execute();
    return rows.map((r) => r.id);
  }

  async addGrant(grant: StoredGrant): Promise<void> {
    await this.scope
      .insertInto('practice_key_grants')
      .values({
        practice_id: this.practiceId,
        pk_version: grant.pkVersion,
        recipient_user_id: grant.recipientUserId,
        granter_user_id: grant.granterUserId,
        grant_body: JSON.stringify(grant.body),
      })
      .onConflict((oc) =>
        oc.columns(['practice_id', 'pk_version', 'recipient_user_id']).doUpdateSet({
          granter_user_id: grant.granterUserId,
          grant_body: JSON.stringify(grant.body),
        }),
      )
      .execute();
  }

  async grantsFor(userId: string): Promise<StoredGrant[]> {
    const rows = await this.scope
      .selectFrom('practice_key_grants')
      .selectAll()
      .where('recipient_user_id', '=', userId)
      .orderBy('pk_version')
      .execute();
    return rows.map((r) => ({
      pkVersion: r.pk_version,
      recipientUserId: r.recipient_user_id,
      granterUserId: r.granter_user_id,
      body: r.grant_body,
    }));
  }

  async addInvite(invite: Omit<Invite, 'acceptedAt' | 'acceptedUserId' | 'revokedAt'>): Promise<void> {
    await this.scope
      .insertInto('invites')
      .values({
        id: invite.id,
        practice_id: invite.practiceId,
        role: invite.role,
        created_by: invite.createdBy,
        expires_at: invite.expiresAt,
        accepted_at: null,
        accepted_user_id: null,
        revoked_at: null,
      })
      .execute();
  }

  async invite(id: string): Promise<Invite | undefined> {
    const row = await this.scope.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toInvite(row);
  }

  async invites(): Promise<Invite[]> {
    return (await this.scope.selectFrom('invites').selectAll().orderBy('created_at').execute()).map(toInvite);
  }

  async markInviteAccepted(id: string, userId: string, at: Date): Promise<boolean> {
    const result = await this.scope
      .updateTable('invites')
      .set({ accepted_at: at, accepted_user_id: userId })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async addAlarm(alarm: { userId: string | undefined; kind: string; detail: string }): Promise<void> {
    await this.scope
      .insertInto('security_alarms')
      .values({
        practice_id: this.practiceId,
        user_id: alarm.userId ?? null,
        kind: alarm.kind,
        detail: alarm.detail,
        acknowledged_at: null,
      })
      .execute();
  }

  async alarms() {
    const rows = await this.scope
      .selectFrom('security_alarms')
      .selectAll()
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      kind: r.kind,
      detail: r.detail,
      createdAt: r.created_at,
    }));
  }

  async lockPractice(): Promise<Practice | undefined> {
    const row = await this.scope.selectFrom('practices').selectAll().forNoKeyUpdate().executeTakeFirst();
    return row && toPractice(row);
  }

  async addUserIfNew(
    user: Omit<User, 'totpSecretSealed' | 'totpLastStep' | 'trustedGranters'>,
  ): Promise<boolean> {
    const result = await this.scope
      .insertInto('users')
      .values(toUserRow(user))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async addDeviceIfNew(
    device: Omit<Device, 'createdAt' | 'lastSeenAt'>,
    approvedBy?: string,
  ): Promise<boolean> {
    const approved = device.status === 'approved';
    const result = await this.scope
      .insertInto('devices')
      .values({
        id: device.id,
        practice_id: device.practiceId,
        user_id: device.userId,
        name: device.name,
        public_key: device.publicKey,
        status: device.status,
        approved_at: approved ? new Date() : null,
        approved_by: approved ? (approvedBy ?? null) : null,
        revoked_at: null,
        last_seen_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async grants(filter: { pkVersion?: number } = {}): Promise<StoredGrant[]> {
    let query = this.scope.selectFrom('practice_key_grants').selectAll().orderBy('pk_version');
    if (filter.pkVersion !== undefined) query = query.where('pk_version', '=', filter.pkVersion);
    return (await query.execute()).map((r) => ({
      pkVersion: r.pk_version,
      recipientUserId: r.recipient_user_id,
      granterUserId: r.granter_user_id,
      body: r.grant_body,
    }));
  }

  async revokeInvite(id: string, at: Date): Promise<boolean> {
    const result = await this.scope
      .updateTable('invites')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async removeLookupsOf(kind: LookupKind, targetId: string): Promise<void> {
    await this.scope
      .deleteFrom('tenant_lookup')
      .where('kind', '=', kind)
      .where('target_id', '=', targetId)
      .where('practice_id', '=', this.practiceId)
      .execute();
  }
}

function toPractice(row: Selectable<PracticeTable>): Practice {
  return {
    id: row.id,
    name: row.name,
    requireTwoFactor: row.require_two_factor,
    currentPkVersion: row.current_pk_version,
  };
}

function toUserRow(
  user: Omit<User, 'totpSecretSealed' | 'totpLastStep' | 'trustedGranters'>,
): Insertable<UserTable> {
  return {
    id: user.id,
    practice_id: user.practiceId,
    username: user.username,
    role: user.role,
    status: user.status,
    opaque_record: user.opaqueRecord,
    user_key_by_password: JSON.stringify(user.userKeyByPassword),
    user_key_by_recovery: JSON.stringify(user.userKeyByRecovery),
    private_keys: JSON.stringify(user.privateKeys),
    encryption_public_key: user.encryptionPublicKey,
    signing_public_key: user.signingPublicKey,
    recovery_public_key: user.recoveryPublicKey,
    totp_secret_sealed: null,
    totp_enrolled_at: null,
    totp_last_step: null,
  };
}

function toUser(row: Selectable<UserTable>): User {
  return {
    id: row.id,
    practiceId: row.practice_id,
    username: row.username,
    role: row.role,
    status: row.status,
    opaqueRecord: row.opaque_record,
    userKeyByPassword: row.user_key_by_password,
    userKeyByRecovery: row.user_key_by_recovery,
    privateKeys: row.private_keys,
    encryptionPublicKey: row.encryption_public_key,
    signingPublicKey: row.signing_public_key,
    recoveryPublicKey: row.recovery_public_key,
    totpSecretSealed: row.totp_secret_sealed,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    trustedGranters: row.trusted_granters,
  };
}

function toDevice(row: Selectable<DeviceTable>): Device {
  return {
    id: row.id,
    practiceId: row.practice_id,
    userId: row.user_id,
    name: row.name,
    publicKey: row.public_key,
    status: row.status,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

function toSession(row: Selectable<SessionTable>): Session {
  return {
    id: row.id,
    practiceId: row.practice_id,
    userId: row.user_id,
    deviceId: row.device_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function toInvite(row: Selectable<InviteTable>): Invite {
  return {
    id: row.id,
    practiceId: row.practice_id,
    role: row.role,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    acceptedUserId: row.accepted_user_id,
    revokedAt: row.revoked_at,
  };
}
