export { TresorApiError } from './api-error.js';
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
export { login, type LoginInput, type SecondFactorPrompt } from './accounts/login.js';
export type { UnlockedKeys } from './accounts/user-key-material.js';
export { HttpClient, type HttpOptions } from './http.js';
export { changePassword, recoverAccount } from './accounts/credentials.js';
export type { KeyStretching } from './accounts/opaque-client.js';
export { type AuditVerifyOptions, verifyPracticeAudit } from './accounts/audit-verify.js';
