import { type Static, Type } from '@sinclair/typebox';
import { uuid } from './formats.js';
import { PasskeyAssertion, PasskeyRequestOptions } from './passkeys.js';

/** Schemas of the accounts API: practices, login, devices, sessions, invites, key grants. */

export const Uuid = uuid();
const B64 = (maxLength: number) => Type.String({ pattern: '^[A-Za-z0-9_=+/-]+$', minLength: 1, maxLength });
const Username = Type.String({
  pattern: '^[a-z0-9][a-z0-9._@-]{2,127}$',
  description: 'login name, lowercase',
});
const DisplayName = Type.String({ minLength: 1, maxLength: 200 });

export const EnvelopeSchema = Type.Object(
  {
    v: Type.Literal(1),
    alg: Type.Literal('A256GCM'),
    kid: Type.String({ minLength: 1, maxLength: 128 }),
    nonce: B64(32),
    ct: B64(65536),
  },
  { additionalProperties: false },
);

export const SealedBoxSchema = Type.Object(
  {
    v: Type.Literal(1),
    alg: Type.Literal('X25519-HKDF-A256GCM'),
    epk: B64(64),
    nonce: B64(32),
    ct: B64(4096),
  },
  { additionalProperties: false },
);

export const GrantSchema = Type.Object(
  {
    v: Type.Literal(1),
    practiceId: Uuid,
    pkVersion: Type.Integer({ minimum: 1 }),
    recipientUserId: Uuid,
    granterUserId: Uuid,
    sealed: SealedBoxSchema,
    signature: B64(128),
  },
  { additionalProperties: false },
);
export type GrantBody = Static<typeof GrantSchema>;

export const NewUser = Type.Object(
  {
    userId: Uuid,
    username: Username,
    registrationRecord: B64(4096),
    userKeyByPassword: EnvelopeSchema,
    userKeyByRecovery: EnvelopeSchema,
    privateKeys: EnvelopeSchema,
    encryptionPublicKey: B64(64),
    signingPublicKey: B64(64),
    recoveryPublicKey: B64(64),
  },
  { additionalProperties: false },
);
export type NewUser = Static<typeof NewUser>;

export const NewDevice = Type.Object(
  { deviceId: Uuid, name: DisplayName, publicKey: B64(512) },
  { additionalProperties: false },
);
export type NewDevice = Static<typeof NewDevice>;

export const RegistrationStartBody = Type.Object(
  { username: Username, registrationRequest: B64(4096) },
  { additionalProperties: false },
);
export const RegistrationStartReply = Type.Object({ registrationResponse: Type.String() });

export const CreatePracticeBody = Type.Object(
  { practiceId: Uuid, practiceName: DisplayName, user: NewUser, device: NewDevice, grant: GrantSchema },
  { additionalProperties: false },
);
export type CreatePracticeBody = Static<typeof CreatePracticeBody>;
export const CreatePracticeReply = Type.Object({ practiceId: Uuid, userId: Uuid, deviceId: Uuid });

export const LoginStartBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }), startLoginRequest: B64(4096) },
  { additionalProperties: false },
);
export const LoginStartReply = Type.Object({ loginId: Type.String(), loginResponse: Type.String() });

export const LoginFinishBody = Type.Object(
  {
    loginId: Type.String({ minLength: 1, maxLength: 64 }),
    finishLoginRequest: B64(4096),
    deviceId: Uuid,
    newDevice: Type.Optional(NewDevice),
  },
  { additionalProperties: false },
);
export type LoginFinishBody = Static<typeof LoginFinishBody>;
export const SecondFactor = Type.Union([
  Type.Literal('totp'),
  Type.Literal('totp_enrolment'),
  Type.Literal('none'),
]);
export const LoginFinishReply = Type.Object({
  loginToken: Type.String(),
  challenge: Type.String({ description: 'base64url; the device signs it' }),
  secondFactor: SecondFactor,
  totpEnrolment: Type.Optional(Type.Object({ secret: Type.String(), uri: Type.String() })),
  /** Present when the user has passkeys: one of them may answer instead of the TOTP code. */
  passkeyOptions: Type.Optional(PasskeyRequestOptions),
  deviceStatus: Type.Union([Type.Literal('pending'), Type.Literal('approved')]),
});
export type LoginFinishReply = Static<typeof LoginFinishReply>;

export const LoginCompleteBody = Type.Object(
  {
    loginToken: Type.String({ minLength: 1, maxLength: 128 }),
    totpCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
    /** A passkey's answer to `passkeyOptions`, instead of `totpCode`. */
    passkey: Type.Optional(PasskeyAssertion),
    deviceSignature: B64(256),
  },
  { additionalProperties: false },
);
export type LoginCompleteBody = Static<typeof LoginCompleteBody>;

export const Member = Type.Object({
  userId: Uuid,
  username: Type.String(),
  role: Type.Union([Type.Literal('primary'), Type.Literal('secondary')]),
  status: Type.Union([Type.Literal('active'), Type.Literal('removed')]),
  encryptionPublicKey: Type.String(),
  signingPublicKey: Type.String(),
});
export type Member = Static<typeof Member>;

export const KeyMaterial = Type.Object({
  userKeyByPassword: EnvelopeSchema,
  privateKeys: EnvelopeSchema,
  currentPkVersion: Type.Integer(),
  grants: Type.Array(GrantSchema),
  /** The user's trusted granters, under the user key (absent until first set). */
  trustedGranters: Type.Optional(EnvelopeSchema),
});
export type KeyMaterial = Static<typeof KeyMaterial>;

export const SessionReply = Type.Object({
  sessionToken: Type.String(),
  sessionId: Uuid,
  expiresAt: Type.String({ format: 'date-time' }),
  practice: Type.Object({ id: Uuid, name: Type.String(), requireTwoFactor: Type.Boolean() }),
  user: Type.Object({
    id: Uuid,
    username: Type.String(),
    role: Type.Union([Type.Literal('primary'), Type.Literal('secondary')]),
  }),
  deviceId: Uuid,
  keys: KeyMaterial,
});
export type SessionReply = Static<typeof SessionReply>;

export const DeviceView = Type.Object({
  id: Uuid,
  userId: Uuid,
  name: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('revoked')]),
  publicKey: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type DeviceView = Static<typeof DeviceView>;

export const SessionView = Type.Object({
  id: Uuid,
  userId: Uuid,
  deviceId: Uuid,
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  current: Type.Boolean(),
});
export type SessionView = Static<typeof SessionView>;

export const IdParams = Type.Object({ id: Uuid });
export const RenameDeviceBody = Type.Object({ name: DisplayName }, { additionalProperties: false });
export const SessionsQuery = Type.Object({
  scope: Type.Optional(Type.Union([Type.Literal('own'), Type.Literal('practice')])),
});

// Credentials: password change and recovery; practice security settings.

/** Password change step 1: an OPAQUE login start for the signed-in user, proving the current password. */
export const PasswordChangeStartBody = Type.Object(
  { startLoginRequest: B64(4096) },
  { additionalProperties: false },
);
export const PasswordChangeStartReply = Type.Object({ loginId: Type.String(), loginResponse: Type.String() });
export type PasswordChangeStartReply = Static<typeof PasswordChangeStartReply>;

/** Step 2: the OPAQUE login finish (current password) and the new OPAQUE record and wrapped user key. */
export const PasswordChangeBody = Type.Object(
  {
    loginId: Type.String({ minLength: 1, maxLength: 64 }),
    finishLoginRequest: B64(4096),
    registrationRecord: B64(4096),
    userKeyByPassword: EnvelopeSchema,
  },
  { additionalProperties: false },
);
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;

export const RecoveryStartBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export const RecoveryStartReply = Type.Object({
  recoveryId: Type.String(),
  challenge: Type.String(),
  practiceId: Uuid,
  userId: Uuid,
  userKeyByRecovery: EnvelopeSchema,
});
export type RecoveryStartReply = Static<typeof RecoveryStartReply>;

export const RecoveryFinishBody = Type.Object(
  {
    recoveryId: Type.String({ minLength: 1, maxLength: 64 }),
    signature: B64(128),
    registrationRecord: B64(4096),
    userKeyByPassword: EnvelopeSchema,
  },
  { additionalProperties: false },
);
export type RecoveryFinishBody = Static<typeof RecoveryFinishBody>;

export const TwoFactorSettingBody = Type.Object(
  {
    required: Type.Boolean(),
    confirmation: Type.Optional(Type.Literal('DISABLE_TWO_FACTOR')),
  },
  { additionalProperties: false },
);
export type TwoFactorSettingBody = Static<typeof TwoFactorSettingBody>;

export const AlarmView = Type.Object({
  id: Uuid,
  userId: Type.Union([Uuid, Type.Null()]),
  kind: Type.String(),
  detail: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type AlarmView = Static<typeof AlarmView>;

// Members: invites, key hand-over, roles, removal and practice-key rotation.

const RoleSchema = Type.Union([Type.Literal('primary'), Type.Literal('secondary')]);
const DateTime = Type.String({ format: 'date-time' });
/** An invite token: 32 random bytes, base64url (stored by the server only as a SHA-256 hash). */
const InviteToken = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });

export const CreateInviteBody = Type.Object(
  {
    role: RoleSchema,
    validForHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168, default: 72 })),
  },
  { additionalProperties: false },
);
export type CreateInviteBody = Static<typeof CreateInviteBody>;
export const CreateInviteReply = Type.Object({ inviteId: Uuid, token: Type.String(), expiresAt: DateTime });
export type CreateInviteReply = Static<typeof CreateInviteReply>;

export const AcceptInviteBody = Type.Object(
  { practiceId: Uuid, inviteId: Uuid, token: InviteToken, user: NewUser, device: NewDevice },
  { additionalProperties: false },
);
export type AcceptInviteBody = Static<typeof AcceptInviteBody>;
export const AcceptInviteReply = Type.Object({ practiceId: Uuid, userId: Uuid, deviceId: Uuid });
export type AcceptInviteReply = Static<typeof AcceptInviteReply>;

/** A member as every signed-in user sees it: public keys (for fingerprints and grants) and key versions held. */
export const MemberView = Type.Object({
  ...Member.properties,
  keyVersions: Type.Array(Type.Integer(), { description: 'practice-key versions granted to this member' }),
});
export type MemberView = Static<typeof MemberView>;
export const MembersReply = Type.Object({
  currentPkVersion: Type.Integer(),
  members: Type.Array(MemberView),
});
export type MembersReply = Static<typeof MembersReply>;

export const InviteState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('accepted'),
  Type.Literal('expired'),
  Type.Literal('revoked'),
]);
export const InviteView = Type.Object({
  inviteId: Uuid,
  role: RoleSchema,
  createdBy: Uuid,
  expiresAt: DateTime,
  state: InviteState,
  acceptedAt: Type.Union([DateTime, Type.Null()]),
  invitee: Type.Union([MemberView, Type.Null()]),
});
export type InviteView = Static<typeof InviteView>;

export const GrantPracticeKeyBody = Type.Object({ grant: GrantSchema }, { additionalProperties: false });
export const GrantPracticeKeyReply = Type.Object({ pkVersion: Type.Integer(), recipientUserId: Uuid });

export const RotatePracticeKeyBody = Type.Object(
  {
    pkVersion: Type.Integer({ minimum: 2 }),
    grants: Type.Array(GrantSchema, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type RotatePracticeKeyBody = Static<typeof RotatePracticeKeyBody>;
export const RotatePracticeKeyReply = Type.Object({ pkVersion: Type.Integer(), recipients: Type.Integer() });

export const ChangeRoleBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export const RemoveUserReply = Type.Object({
  revokedSessions: Type.Integer(),
  revokedDevices: Type.Integer(),
  revokedInvites: Type.Integer(),
});
export type RemoveUserReply = Static<typeof RemoveUserReply>;

export const TrustedGrantersBody = Type.Object(
  { trustedGranters: EnvelopeSchema },
  { additionalProperties: false },
);
export type TrustedGrantersBody = Static<typeof TrustedGrantersBody>;
