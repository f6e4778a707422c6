import type { PracticeScope } from '../../platform/db/tenant.js';
import type { Device, Invite, Practice, Session, StoredGrant, User } from './accounts.types.js';
import type { PasskeyCredential } from './webauthn.js';

export type LookupKind = 'username' | 'session' | 'invite';

export interface LookupHit {
  readonly practiceId: string;
  readonly targetId: string;
}

/** Storage of the accounts module. Practice-owned data is reached only inside `inPractice`. */
export interface AccountsStore {
  /** Global index from login names and token hashes to the owning practice. */
  lookup(kind: LookupKind, key: string): Promise<LookupHit | undefined>;
  /** The user behind a login name with their OPAQUE record, in one read (first login step). */
  loginCandidate(username: string): Promise<LoginCandidate | undefined>;
  /** User, practice, the named device and the user's grants in one read, outside a transaction. */
  loginContext(practiceId: string, userId: string, deviceId: string): Promise<LoginContext | undefined>;
  /**
   * The live session behind a token hash, in one read: undefined unless the session is unrevoked,
   * unexpired and seen within `idleMs` of `at`, its user active and its device approved. Moves its
   * last-seen time to `at` when that is older than `touchAfterMs`.
   */
  sessionCheck(tokenHash: string, rules: SessionCheckRules): Promise<CheckedSession | undefined>;
  /**
   * Ids of every practice with a user, through the global login-name lookup (the application role
   * cannot list practices across tenants). For system jobs that visit each practice in turn.
   */
  practiceIds(): Promise<string[]>;
  /** One transaction bound to one practice (row-level security). */
  inPractice<T>(practiceId: string, work: (tx: AccountsTx) => Promise<T>): Promise<T>;
}

export interface SessionCheckRules {
  readonly at: Date;
  readonly idleMs: number;
  readonly touchAfterMs: number;
}

export interface CheckedSession {
  readonly practiceId: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly role: User['role'];
}

export interface LoginCandidate {
  readonly id: string;
  readonly practiceId: string;
  readonly status: User['status'];
  readonly opaqueRecord: string;
}

/** Everything a login step needs, read in one go. */
export interface LoginContext {
  readonly user: Pick<
    User,
    | 'id'
    | 'practiceId'
    | 'username'
    | 'role'
    | 'status'
    | 'userKeyByPassword'
    | 'privateKeys'
    | 'totpSecretSealed'
    | 'totpLastStep'
    | 'trustedGranters'
  >;
  readonly practice: Practice;
  /** The device with the id the client named, whoever it belongs to; undefined if unknown. */
  readonly device: Pick<Device, 'id' | 'userId' | 'name' | 'publicKey' | 'status'> | undefined;
  /** Bodies of the user's practice-key grants, oldest version first. */
  readonly grantBodies: unknown[];
  /** The user's passkeys (second factor instead of TOTP). */
  readonly passkeys: PasskeyCredential[];
}

/** A successful login as stored: the session, its token, the device seen, the TOTP step used. */
export interface LoginRecord {
  readonly sessionId: string;
  readonly tokenHash: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly expiresAt: Date;
  readonly at: Date;
  readonly clientIp: string;
  readonly userAgent: string | undefined;
  /** Recorded only if newer than the stored step; otherwise nothing is written. */
  readonly totpStep: number | undefined;
}

export type UserPatch = Partial<
  Pick<
    User,
    | 'role'
    | 'status'
    | 'opaqueRecord'
    | 'userKeyByPassword'
    | 'totpSecretSealed'
    | 'totpLastStep'
    | 'trustedGranters'
  > & { totpEnrolledAt: Date }
>;

export interface AccountsTx {
  /** The transaction handle, for the audit log to write in the same transaction. */
  readonly scope: PracticeScope;
  /** False when the key is already taken. */
  addLookup(kind: LookupKind, key: string, targetId: string): Promise<boolean>;
  removeLookup(kind: LookupKind, key: string): Promise<void>;

  addPractice(practice: Pick<Practice, 'id' | 'name'>): Promise<void>;
  practice(): Promise<Practice | undefined>;
  updatePractice(patch: Partial<Pick<Practice, 'requireTwoFactor' | 'currentPkVersion'>>): Promise<void>;

  addUser(user: Omit<User, 'totpSecretSealed' | 'totpLastStep' | 'trustedGranters'>): Promise<void>;
  user(id: string): Promise<User | undefined>;
  users(): Promise<User[]>;
  updateUser(id: string, patch: UserPatch): Promise<void>;

  /** User, practice, the named device and the user's grants in one read; undefined if no such user. */
  loginContext(userId: string, deviceId: string): Promise<LoginContext | undefined>;
  /**
   * Session, token lookup, device last seen and TOTP step in one write. False (nothing written)
   * when the TOTP step is not newer than the stored one: the code was used concurrently.
   */
  recordLogin(login: LoginRecord): Promise<boolean>;

  addDevice(device: Omit<Device, 'createdAt' | 'lastSeenAt'>, approvedBy?: string): Promise<void>;
  device(id: string): Promise<Device | undefined>;
  devices(userId?: string): Promise<Device[]>;
  updateDevice(
    id: string,
    patch: { name?: string; status?: 'approved' | 'revoked'; by?: string; lastSeenAt?: Date },
  ): Promise<void>;

  addSession(
    session: Omit<Session, 'createdAt' | 'lastSeenAt' | 'revokedAt'> & {
      clientIp: string;
      userAgent: string | undefined;
    },
  ): Promise<void>;
  session(id: string): Promise<Session | undefined>;
  sessions(filter: { userId?: string; activeAt: Date }): Promise<Session[]>;
  touchSession(id: string, at: Date): Promise<void>;
  /** Revokes matching active sessions; returns their ids. */
  revokeSessions(
    filter: { ids?: string[]; userId?: string; deviceId?: string; exceptId?: string },
    at: Date,
  ): Promise<string[]>;

  addGrant(grant: StoredGrant): Promise<void>;
  grantsFor(userId: string): Promise<StoredGrant[]>;

  addInvite(invite: Omit<Invite, 'acceptedAt' | 'acceptedUserId' | 'revokedAt'>): Promise<void>;
  invite(id: string): Promise<Invite | undefined>;
  invites(): Promise<Invite[]>;
  markInviteAccepted(id: string, userId: string, at: Date): Promise<boolean>;

  addAlarm(alarm: { userId: string | undefined; kind: string; detail: string }): Promise<void>;
  alarms(): Promise<{ id: string; userId: string | null; kind: string; detail: string; createdAt: Date }[]>;

  // Members: invites, key hand-over, roles, removal, practice-key rotation.
  /** The practice row, locked until the transaction ends: serialises membership and key changes. */
  lockPractice(): Promise<Practice | undefined>;
  /** Like addUser, but false (nothing written) when the id is in use in any practice. */
  addUserIfNew(user: Omit<User, 'totpSecretSealed' | 'totpLastStep' | 'trustedGranters'>): Promise<boolean>;
  /** Like addDevice, but false (nothing written) when the id is in use in any practice. */
  addDeviceIfNew(device: Omit<Device, 'createdAt' | 'lastSeenAt'>, approvedBy?: string): Promise<boolean>;
  /** Every grant of the practice, optionally of one version. */
  grants(filter?: { pkVersion?: number }): Promise<StoredGrant[]>;
  /** Marks a pending (not accepted, not revoked) invite revoked; false if it was not pending. */
  revokeInvite(id: string, at: Date): Promise<boolean>;
  /** Removes every lookup of this kind that points at `targetId` (e.g. an invite's token hash). */
  removeLookupsOf(kind: LookupKind, targetId: string): Promise<void>;
}
