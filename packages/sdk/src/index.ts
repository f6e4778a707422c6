export { TresorApiError } from './api-error.js';
export { TresorClient, type TresorClientOptions } from './client.js';
export type { ErrorCode } from './contract/errors.js';
export type { Health, Readiness, ServerInfo } from './contract/schemas.js';
