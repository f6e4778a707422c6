export { type ErrorCode, errorCatalog, errorStatus, isErrorCode } from './errors.js';
export { ErrorBody, Health, Readiness, ServerInfo } from './schemas.js';
