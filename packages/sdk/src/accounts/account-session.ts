import { Type } from '@sinclair/typebox';
import { accounts, audit, backup, passkeys } from '../contract/index.js';
import { TresorApiError } from '../api-error.js';
import { SessionLockedError } from '../client-errors.js';
import { type KeyVersionMemory, rememberOpenedVersion } from './key-version-memory.js';
import { openKeyMaterial } from './unlock-keys.js';
import type { RecordVersionMemory } from '../records/record-version-memory.js';
import { sealTrustedGranters } from './trusted-granters.js';
import { listMembers } from './members.js';
import type { HttpClient } from '../http.js';
import { type AuditVerifyOptions, verifyPracticeAudit } from './audit-verify.js';
import { changePassword } from './credentials.js';
import type { UnlockedKeys } from './user-key-material.js';
import { bytesToBase64url, publicKeyFingerprint } from '@tresor/crypto';
import { buildInviteLink, memberFingerprint } from './invites.js';
import { RecordsClient } from '../records/records-client.js';
import {
  type RotationOptions,
  type Rotation,
  deleteUser,
  grantPracticeKey,
  regrantToSelf,
  rotatePracticeKey,
} from './members.js';

const Ok = Type.Object({ ok: Type.Literal(true) });

/** A signed-in user on this device: the session token and the unlocked keys, in memory only. */
export class AccountSession {
  #keys: UnlockedKeys | undefined;
  /** Users removed through this session: no later rotation of it may include them. */
  readonly #removed = new Set<string>();

  constructor(
    private readonly http: HttpClient,
    readonly info: accounts.SessionReply,
    keys: UnlockedKeys,
    /** What this device remembers between sessions (see `KeyVersionMemory`, `RecordVersionMemory`). */
    private readonly memory: {
      readonly keyVersions?: KeyVersionMemory | undefined;
      readonly recordVersions?: RecordVersionMemory | undefined;
    } = {},
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
    if (this.#keys === undefined) throw new SessionLockedError();
    return this.#keys;
  }

  #records: RecordsClient | undefined;
  /** Encrypted patient records with this session's token and keys (stops working once locked). */
  get records(): RecordsClient {
    this.#records ??= new RecordsClient({
      http: this.http,
      practiceId: this.practiceId,
      token: () => this.token,
      keys: () => this.keys,
      ...(this.memory.recordVersions === undefined ? {} : { versionMemory: this.memory.recordVersions }),
    });
    return this.#records;
  }

  /** Grants not opened because their granter is not trusted yet (see `trustGranter`). */
  get untrustedGrants(): UnlockedKeys['untrustedGrants'] {
    return this.keys.untrustedGrants;
  }

  /** Colleagues whose practice-key grants this user accepts (user id → signing key). */
  get trustedGranters(): UnlockedKeys['trustedGranters'] {
    return this.keys.trustedGranters;
  }

  /**
   * Re-reads the key material (e.g. after a hand-over or a key rotation arrived). Keys opened
   * before are kept, and the current version never goes back (see `openKeyMaterial`).
   */
  async refreshKeys(pins?: ReadonlyMap<string, string>): Promise<void> {
    const material = await this.call('GET', '/api/v1/me/keys', accounts.KeyMaterial);
    const current = this.keys;
    this.#keys = await openKeyMaterial({
      practiceId: this.practiceId,
      userId: this.userId,
      userKey: current.userKey,
      pairs: current.pairs,
      keys: material,
      trustedGranters: new Map([...current.trustedGranters, ...(pins ?? [])]),
      held: current,
    });
    await this.rememberVersion();
  }

  /** Saves the highest version opened so far in this device's memory, if it has one. */
  private async rememberVersion(): Promise<void> {
    const keys = this.#keys;
    if (keys === undefined) return;
    await rememberOpenedVersion(
      this.memory.keyVersions,
      { practiceId: this.practiceId, userId: this.userId },
      keys,
    );
  }

  /**
   * A colleague's signing key and fingerprint as the server lists them. Show the fingerprint and
   * have the user compare it with the colleague's own screen before calling `trustGranter`.
   */
  async granterFingerprint(userId: string) {
    const { members } = await listMembers(this.http, this.token);
    const member = members.find((m) => m.userId === userId);
    if (member === undefined) throw new TresorApiError('users.not_found', 'No such member.', 404);
    return {
      username: member.username,
      fingerprint: await memberFingerprint(member),
      signingPublicKey: member.signingPublicKey,
    };
  }

  /**
   * Trusts a colleague's signing key (after comparing fingerprints): stored in the user's list,
   * sealed under the user key, so every device of the user accepts that colleague's grants; then
   * re-opens the key material.
   */
  async trustGranter(userId: string, signingPublicKey: string): Promise<void> {
    const ids = { practiceId: this.practiceId, userId: this.userId };
    const list = new Map([...this.keys.trustedGranters, [userId, signingPublicKey]]);
    await this.call('PUT', '/api/v1/me/trusted-granters', Ok, {
      trustedGranters: await sealTrustedGranters(this.keys.userKey, ids, list),
    });
    await this.refreshKeys();
  }

  /** Audit entries of the practice after position `after` (see also `verifyAuditTrail`). */
  auditEntries(options: { after?: number; limit?: number } = {}) {
    const after = options.after ?? 0;
    const limit = options.limit ?? 100;
    return this.call('GET', `/api/v1/audit/entries?after=${after}&limit=${limit}`, audit.AuditEntryPage);
  }

  /**
   * Drops the keys and the decrypted patient directory from memory (lock on idle); the session
   * token stays valid.
   */
  lock(): void {
    this.#keys = undefined;
    this.#records?.forget();
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
  /**
   * New password: OPAQUE re-registered, user key re-wrapped, other sessions ended. The current
   * password is proven first (a fresh OPAQUE login); a wrong one throws `auth.login_failed`.
   */
  changePassword(currentPassword: string, newPassword: string) {
    return changePassword(
      this.http,
      {
        token: this.token,
        practiceId: this.practiceId,
        userId: this.userId,
        username: this.info.user.username,
        userKey: this.keys.userKey,
      },
      currentPassword,
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
  /**
   * Registers a passkey for me as an alternative to the TOTP code. `create` turns the options
   * into a credential, e.g. `(optionsJSON) => startRegistration({ optionsJSON })` with
   * `@simplewebauthn/browser`, or `navigator.credentials.create()` and `toJSON()`.
   */
  async addPasskey(
    name: string,
    create: (options: passkeys.PasskeyCreationOptions) => Promise<passkeys.PasskeyAttestation>,
  ) {
    const options = await this.call('POST', '/api/v1/passkeys/options', passkeys.PasskeyCreationOptions);
    const attestation = await create(options);
    return this.call('POST', '/api/v1/passkeys', passkeys.PasskeyView, { name, attestation });
  }
  passkeys() {
    return this.call('GET', '/api/v1/passkeys', Type.Object({ passkeys: Type.Array(passkeys.PasskeyView) }));
  }
  removePasskey(id: string) {
    return this.call('DELETE', `/api/v1/passkeys/${encodeURIComponent(id)}`, Ok);
  }
  /** Primary users: the practice's cloud-backup credentials (their tokens are never shown again). */
  backupCredentials() {
    return this.call(
      'GET',
      '/api/v1/backup/credentials',
      Type.Object({ credentials: Type.Array(backup.CredentialView) }),
    );
  }
  /**
   * Primary users: a new cloud-backup credential. `agent` adds and reads objects (for the practice
   * PC); `retention` may also delete objects whose lock period has passed. The token (`tbk_…`) is
   * in this answer only.
   */
  createBackupCredential(name: string, kind: backup.CreateCredentialBody['kind']) {
    return this.call('POST', '/api/v1/backup/credentials', backup.CreatedCredential, { name, kind });
  }
  /** Primary users: revokes a cloud-backup credential at once. */
  revokeBackupCredential(id: string) {
    return this.call('DELETE', `/api/v1/backup/credentials/${encodeURIComponent(id)}`, Ok);
  }
  /** Primary users: objects, bytes, quota and lock period of the practice's cloud backup. */
  backupUsage() {
    return this.call('GET', '/api/v1/backup/usage', backup.UsageView);
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

  // Members: invites, key hand-over, roles, removal, practice-key rotation.

  /** The fingerprint of this user's own keys, computed on this device (never from the server's copy). */
  fingerprint(): Promise<string> {
    return publicKeyFingerprint(this.keys.pairs.encryption.publicKey, this.keys.pairs.signing.publicKey);
  }
  /**
   * Primary users: invites a user. The link (under `linkBase`, e.g. `https://praxis.example/invite`)
   * carries the one-time token and this user's signing key in its fragment; hand it over out of band.
   */
  async createInvite(input: { role: 'primary' | 'secondary'; validForHours?: number; linkBase: string }) {
    const invite = await this.call('POST', '/api/v1/invites', accounts.CreateInviteReply, {
      role: input.role,
      ...(input.validForHours === undefined ? {} : { validForHours: input.validForHours }),
    });
    const link = buildInviteLink(input.linkBase, {
      practiceId: this.practiceId,
      inviteId: invite.inviteId,
      token: invite.token,
      granterUserId: this.userId,
      granterSigningKey: bytesToBase64url(this.keys.pairs.signing.publicKey),
    });
    return { ...invite, link };
  }
  invites() {
    return this.call('GET', '/api/v1/invites', Type.Object({ invites: Type.Array(accounts.InviteView) }));
  }
  revokeInvite(id: string) {
    return this.call('DELETE', `/api/v1/invites/${encodeURIComponent(id)}`, Ok);
  }
  members() {
    return this.call('GET', '/api/v1/practice/members', accounts.MembersReply);
  }
  /** Primary users: hands the practice key to a member after both screens showed `confirmedFingerprint`. */
  grantPracticeKey(userId: string, confirmedFingerprint: string) {
    return grantPracticeKey(this.http, this.granter(), userId, confirmedFingerprint);
  }
  changeRole(userId: string, role: 'primary' | 'secondary') {
    return this.call('PATCH', `/api/v1/users/${encodeURIComponent(userId)}`, accounts.MemberView, { role });
  }
  /**
   * Primary users: removes a user at once (see `removeUser` in members.ts), stops trusting their
   * key here (`distrust`), then rotates the practice key without them (this session gets the new
   * version). If the rotation fails, the removal and the distrust stand; `rotatePracticeKey` of
   * this session still refuses a server that lists the user as active.
   */
  async removeUser(userId: string, options: RotationOptions = {}) {
    const removed = await deleteUser(this.http, this.token, userId);
    this.#removed.add(userId);
    await this.distrust(userId);
    const rotation = await this.rotatePracticeKey(options);
    return { removed, rotation };
  }
  /** Primary users: a new practice-key version for every member holding the current one. */
  async rotatePracticeKey(options: RotationOptions = {}) {
    const rotation = await rotatePracticeKey(this.http, this.granter(), {
      ...options,
      removedMembers: [...(options.removedMembers ?? []), ...this.#removed],
    });
    this.adopt(rotation);
    await this.rememberVersion();
    return rotation;
  }

  /**
   * Drops a (removed) colleague from this user's trust list, so that no grant signed by them opens
   * here again. This user's own grants are re-signed by this user first, so versions that colleague
   * once handed over stay readable.
   */
  private async distrust(userId: string): Promise<void> {
    if (!this.keys.trustedGranters.has(userId)) return;
    const list = new Map(this.keys.trustedGranters);
    list.delete(userId);
    this.#keys = { ...this.keys, trustedGranters: list };
    await regrantToSelf(this.http, this.granter());
    const ids = { practiceId: this.practiceId, userId: this.userId };
    await this.call('PUT', '/api/v1/me/trusted-granters', Ok, {
      trustedGranters: await sealTrustedGranters(this.keys.userKey, ids, list),
    });
  }
  private granter() {
    return { token: this.token, practiceId: this.practiceId, userId: this.userId, keys: this.keys };
  }
  private adopt(rotation: Rotation): void {
    const keys = this.keys;
    this.#keys = {
      ...keys,
      practiceKeys: new Map([...keys.practiceKeys, [rotation.pkVersion, rotation.practiceKey]]),
      currentPkVersion: rotation.pkVersion,
    };
  }
}
