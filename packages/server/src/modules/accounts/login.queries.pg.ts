import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../platform/db/schema.js';
import type { PracticeScope } from '../../platform/db/tenant.js';
import type { CheckedSession, LoginContext, SessionCheckRules } from './accounts.store.js';

/** The first login step's read, before any practice is bound (migration login-reads). */
export async function selectLoginCandidate(db: Kysely<Schema>, username: string) {
  const { rows } = await sql<{
    user_id: string;
    practice_id: string;
    status: 'active' | 'removed';
    opaque_record: string;
  }>`select user_id, practice_id, status, opaque_record from login_candidate(${username})`.execute(db);
  const row = rows[0];
  return (
    row && {
      id: row.user_id,
      practiceId: row.practice_id,
      status: row.status,
      opaqueRecord: row.opaque_record,
    }
  );
}

/** The session check of a signed-in request, in one statement (migration session-check). */
export async function selectSessionCheck(
  db: Kysely<Schema>,
  tokenHash: string,
  rules: SessionCheckRules,
): Promise<CheckedSession | undefined> {
  const { rows } = await sql<{
    practice_id: string;
    session_id: string;
    user_id: string;
    device_id: string;
    role: CheckedSession['role'];
  }>`select practice_id, session_id, user_id, device_id, role from session_check(${tokenHash},
      ${rules.at}::timestamptz, ${`${rules.idleMs} milliseconds`}::interval,
      ${`${rules.touchAfterMs} milliseconds`}::interval)`.execute(db);
  const row = rows[0];
  return (
    row && {
      practiceId: row.practice_id,
      sessionId: row.session_id,
      userId: row.user_id,
      deviceId: row.device_id,
      role: row.role,
    }
  );
}

interface LoginContextRow {
  user_id: string;
  username: string;
  role: 'primary' | 'secondary';
  status: 'active' | 'removed';
  user_key_by_password: unknown;
  private_keys: unknown;
  totp_secret_sealed: string | null;
  totp_last_step: string | number | bigint | null;
  practice_name: string;
  require_two_factor: boolean;
  current_pk_version: number;
  device_id: string | null;
  device_user_id: string | null;
  device_name: string | null;
  device_public_key: string | null;
  device_status: 'pending' | 'approved' | 'revoked' | null;
  grant_bodies: unknown[];
  trusted_granters: unknown;
  passkeys: { id: string; publicKey: string; signCount: number | string; transports: string[] | null }[];
}

/** User, practice, device and grants for a login step, in one statement (migration login-reads). */
export async function selectLoginContext(
  executor: Kysely<Schema>,
  practiceId: string,
  userId: string,
  deviceId: string,
): Promise<LoginContext | undefined> {
  const { rows } = await sql<LoginContextRow>`
    select * from login_context(${practiceId}::uuid, ${userId}::uuid, ${deviceId}::uuid)`.execute(executor);
  const row = rows[0];
  if (row === undefined) return undefined;
  const device =
    row.device_id === null ||
    row.device_user_id === null ||
    row.device_public_key === null ||
    row.device_status === null
      ? undefined
      : {
          id: row.device_id,
          userId: row.device_user_id,
          name: row.device_name ?? '',
          publicKey: row.device_public_key,
          status: row.device_status,
        };
  return {
    user: {
      id: row.user_id,
      practiceId,
      username: row.username,
      role: row.role,
      status: row.status,
      userKeyByPassword: row.user_key_by_password,
      privateKeys: row.private_keys,
      totpSecretSealed: row.totp_secret_sealed,
      totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
      trustedGranters: row.trusted_granters,
    },
    practice: {
      id: practiceId,
      name: row.practice_name,
      requireTwoFactor: row.require_two_factor,
      currentPkVersion: row.current_pk_version,
    },
    device,
    grantBodies: row.grant_bodies,
    passkeys: row.passkeys.map((passkey) => ({
      id: passkey.id,
      publicKey: passkey.publicKey,
      signCount: Number(passkey.signCount),
      transports: passkey.transports ?? [],
    })),
  };
}

export interface LoginRecordRow {
  readonly practiceId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly sessionId: string;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  readonly at: Date;
  readonly clientIp: string;
  readonly userAgent: string | null;
  /** TOTP time step to record; the write is refused unless it is newer than the stored one. */
  readonly totpStep: number | undefined;
}

/**
 * A successful login in one statement: the TOTP step moves forward (a code used concurrently
 * by another login makes this one write nothing), the device's last-seen time, the session and
 * the lookup of its token hash. True when written.
 */
export async function insertLogin(scope: PracticeScope, login: LoginRecordRow): Promise<boolean> {
  const step = login.totpStep ?? null;
  const result = await sql<{ id: string }>`
    with user_row as (
      update users set updated_at = ${login.at}::timestamptz,
        totp_last_step = coalesce(${step}::bigint, totp_last_step)
      where id = ${login.userId}::uuid
        and (${step}::bigint is null or totp_last_step is null or totp_last_step < ${step}::bigint)
      returning id
    ), token as (
      insert into tenant_lookup (kind, key, practice_id, target_id)
      select 'session', ${login.tokenHash}, ${login.practiceId}::uuid, ${login.sessionId}::uuid from user_row
    ), device_row as (
      update devices set last_seen_at = ${login.at}::timestamptz
      where id = ${login.deviceId}::uuid and exists (select 1 from user_row)
    )
    insert into sessions (id, practice_id, user_id, device_id, client_ip, user_agent, expires_at)
    select ${login.sessionId}::uuid, ${login.practiceId}::uuid, ${login.userId}::uuid,
      ${login.deviceId}::uuid, ${login.clientIp}, ${login.userAgent}, ${login.expiresAt}::timestamptz
    from user_row
    returning id`.execute(scope);
  return result.rows.length === 1;
}
