import { Type } from '@sinclair/typebox';
import { accounts } from '../contract/index.js';
import type { HttpClient } from '../http.js';
import { type AuditVerifyOptions, verifyPracticeAudit } from './audit-verify.js';
import { changePassword } from './credentials.js';
import type { UnlockedKeys } from './user-key-material.js';

const Ok = Type.Object({ ok: Type.Literal(true) });

/** A signed-in user on this device: the session token and the unlocked keys, in memory only. */
export class AccountSession {
  #keys: UnlockedKeys | undefined;

  constructor(
    private readonly http: HttpClient,
    readonly info: accounts.SessionReply,
    keys: UnlockedKeys,
  ) {
    this.#keys = keys;
  }

  get practiceId(): string {
    return this.info.practice.id;
  }
  get userId(): string {
    return this.info.user.id;
  }
  get token(): string {
    return this.info.sessionToken;
  }

  /** The unlocked keys; throws once the session is locked. */
  get keys(): UnlockedKeys {
    if (this.#keys === undefined) throw new Error('session is locked');
    return this.#keys;
  }

  /** Drops the keys from memory (lock on idle); the session token stays valid. */
  lock(): void {
    this.#keys = undefined;
  }

  devices() {
    return this.call('GET', '/api/v1/devices', Type.Object({ devices: Type.Array(accounts.DeviceView) }));
  }
  approveDevice(id: string) {
    return this.call('POST', `/api/v1/devices/${id}/approve`, accounts.DeviceView);
  }
  renameDevice(id: string, name: string) {
    return this.call('PATCH', `/api/v1/devices/${id}`, accounts.DeviceView, { name });
  }
  revokeDevice(id: string) {
    return this.call('POST', `/api/v1/devices/${id}/revoke`, accounts.DeviceView);
  }
  sessions(scope: 'own' | 'practice' = 'own') {
    return this.call(
      'GET',
      `/api/v1/sessions?scope=${scope}`,
      Type.Object({ sessions: Type.Array(accounts.SessionView) }),
    );
  }
  revokeSession(id: string) {
    return this.call('DELETE', `/api/v1/sessions/${id}`, Ok);
  }
  revokeOtherSessions() {
    return this.call('POST', '/api/v1/sessions/revoke-others', Type.Object({ revoked: Type.Integer() }));
  }
  /** New password: OPAQUE re-registered, user key re-wrapped, other sessions ended. */
  changePassword(newPassword: string) {
    return changePassword(
      this.http,
      {
        token: this.token,
        practiceId: this.practiceId,
        userId: this.userId,
        username: this.info.user.username,
        userKey: this.keys.userKey,
      },
      newPassword,
    );
  }
  /** Primary users: require or (with confirmation) stop requiring two-factor login. */
  setTwoFactorRequired(required: boolean) {
    return this.call(
      'PUT',
      '/api/v1/practice/settings/two-factor',
      Type.Object({ required: Type.Boolean() }),
      {
        required,
        ...(required ? {} : { confirmation: 'DISABLE_TWO_FACTOR' }),
      },
    );
  }
  alarms() {
    return this.call(
      'GET',
      '/api/v1/security/alarms',
      Type.Object({ alarms: Type.Array(accounts.AlarmView) }),
    );
  }
  /** Verifies the practice's audit trail on this device (see verifyPracticeAudit). */
  verifyAuditTrail(options: AuditVerifyOptions = {}) {
    return verifyPracticeAudit(this.http, { token: this.token, practiceId: this.practiceId }, options);
  }
  async logout(): Promise<void> {
    await this.call('POST', '/api/v1/auth/logout', Ok);
    this.lock();
  }

  private call<S extends Parameters<HttpClient['call']>[2]['schema']>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ) {
    return this.http.call(method, path, {
      schema,
      token: this.token,
      ...(body === undefined ? {} : { body }),
    });
  }
}
