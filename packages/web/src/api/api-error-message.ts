import { TresorApiError } from '@tresor/sdk';
import type { MessageKey } from '../i18n/messages.de';

/** What to tell the user about a failed API call. */
export interface ApiErrorMessage {
  readonly key: MessageKey;
  /** Identifies the request in the server log; worth quoting to support. */
  readonly requestId: string | undefined;
  readonly unreachable: boolean;
}

const messageKeys: Partial<Record<TresorApiError['code'], MessageKey>> = {
  'client.network': 'error.network',
  'client.unexpected_response': 'error.unexpectedResponse',
  'client.rollback': 'error.rollback',
  'server.unavailable': 'error.serverUnavailable',
  'server.internal': 'error.serverInternal',
  'request.rate_limited': 'error.rateLimited',
};

export function apiErrorMessage(error: unknown): ApiErrorMessage {
  if (!(error instanceof TresorApiError)) {
    return { key: 'error.generic', requestId: undefined, unreachable: false };
  }
  return {
    key: messageKeys[error.code] ?? 'error.generic',
    requestId: error.requestId,
    unreachable: error.code === 'client.network',
  };
}
