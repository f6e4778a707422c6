export { type ErrorCode, errorCatalog, errorStatus, isErrorCode } from './errors.js';
export { ErrorBody, Health, Readiness, ServerInfo } from './schemas.js';
export * as accounts from './accounts.js';
export * as audit from './audit.js';
export * as backup from './backup.js';
export * as passkeys from './passkeys.js';
export * as records from './records.js';
