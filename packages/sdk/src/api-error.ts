import { type ErrorCode, isErrorCode } from './contract/errors.js';

/** An error answer of the Tresor API as seen by a client. */
export class TresorApiError extends Error {
  override readonly name = 'TresorApiError';

  constructor(
    readonly code: ErrorCode | 'client.network' | 'client.unexpected_response' | 'client.rollback',
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export function toApiError(status: number, body: unknown): TresorApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: { code?: unknown; message?: unknown; requestId?: unknown } }).error;
    const message = typeof error.message === 'string' ? error.message : 'Request failed';
    const requestId = typeof error.requestId === 'string' ? error.requestId : undefined;
    if (isErrorCode(error.code)) return new TresorApiError(error.code, message, status, requestId);
  }
  return new TresorApiError('client.unexpected_response', `Unexpected answer (HTTP ${status})`, status);
}
