export { TresorApiError } from './api-error.js';
export {
  InvalidRecordInputError,
  KeyVersionLockedError,
  SessionLockedError,
  UploadFileChangedError,
} from './client-errors.js';
export { TresorClient, type TresorClientOptions } from './client.js';
export type { ErrorCode } from './contract/errors.js';
export type { Health, Readiness, ServerInfo } from './contract/schemas.js';
export { AccountSession } from './accounts/account-session.js';
export {
  createPractice,
  type CreatePracticeInput,
  type CreatedPractice,
} from './accounts/create-practice.js';
export {
  type DeviceIdentity,
  type DeviceKeyStore,
  MemoryDeviceKeyStore,
} from './accounts/device-key-store.js';
export {
  type KeyVersionMemory,
  type MemberIds,
  MemoryKeyVersionMemory,
  highestOpenedVersion,
} from './accounts/key-version-memory.js';
export { type RecordVersionMemory, MemoryRecordVersionMemory } from './records/record-version-memory.js';
export {
  login,
  type LoginInput,
  type SecondFactorAnswer,
  type SecondFactorPrompt,
} from './accounts/login.js';
export type { UnlockedKeys, UntrustedGrant } from './accounts/user-key-material.js';
export { HttpClient, type HttpOptions } from './http.js';
export { changePassword, recoverAccount } from './accounts/credentials.js';
export type { KeyStretching } from './accounts/opaque-client.js';
export { type AuditVerifyOptions, verifyPracticeAudit } from './accounts/audit-verify.js';
export {
  acceptInvite,
  type AcceptInviteInput,
  type AcceptedInvite,
  buildInviteLink,
  type InviteLink,
  memberFingerprint,
  parseInviteLink,
} from './accounts/invites.js';
export {
  type GranterContext,
  grantPracticeKey,
  listMembers,
  removeUser,
  type Rotation,
  type RotationOptions,
  rotatePracticeKey,
} from './accounts/members.js';
export {
  DATA_KEY_PURPOSE,
  type DataKeySource,
  pkVersionOfKid,
  practiceKeyKid,
  rewrapDataKey,
  rewrapDataKeys,
  type RewrapReport,
  type WrappedDataKey,
} from './accounts/rewrap-data-keys.js';
export { GrantVerificationError } from '@tresor/crypto';
export { deviceFingerprint } from '@tresor/crypto';
export * from './records/index.js';
