import { WebAuthnError } from '@simplewebauthn/browser';
import {
  GrantVerificationError,
  InvalidRecordInputError,
  KeyVersionLockedError,
  SessionLockedError,
  TresorApiError,
  UploadFileChangedError,
} from '@tresor/sdk';
import { errorCatalog, isErrorCode } from '@tresor/sdk/contract';
import type { Translate } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages.de';
import type { Locale } from '../i18n/locale';

/** What to tell the user about a failure, in their language. */
export interface ErrorDescription {
  readonly text: string;
  /** The API's stable error code, if the failure came from the API. */
  readonly code: string | undefined;
  /** Identifies the request in the server log; worth quoting to support. */
  readonly requestId: string | undefined;
}

/**
 * Every API error code gets the German or English message of the SDK's shared catalogue; the
 * client-side failures (network down, unexpected answers, untrusted key grants, full storage,
 * undecryptable data, locked keys, invalid input, a changed file) get the web app's own wording.
 */
export function describeError(error: unknown, locale: Locale, t: Translate): ErrorDescription {
  if (error instanceof TresorApiError) {
    const text =
      error.code === 'client.network'
        ? t('error.network')
        : error.code === 'client.unexpected_response'
          ? t('error.unexpectedResponse')
          : error.code === 'client.rollback'
            ? t('error.rollback')
            : isErrorCode(error.code)
              ? errorCatalog[error.code][locale]
              : t('error.generic');
    return { text, code: error.code, requestId: error.requestId };
  }
  if (error instanceof GrantVerificationError) {
    return { text: t('error.grantUntrusted'), code: undefined, requestId: undefined };
  }
  if (error instanceof WebAuthnError || (error instanceof DOMException && error.name === 'NotAllowedError')) {
    // The authenticator's ceremony: cancelled and timed out look the same (NotAllowedError) by design.
    const cancelled =
      error.name === 'NotAllowedError' ||
      error.name === 'AbortError' ||
      (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED');
    const known =
      error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED';
    const text = cancelled
      ? t('error.passkeyCancelled')
      : known
        ? t('error.passkeyAlreadyRegistered')
        : t('error.passkeyFailed');
    return { text, code: undefined, requestId: undefined };
  }
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return { text: t('error.storageQuota'), code: undefined, requestId: undefined };
  }
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { text: t('error.aborted'), code: undefined, requestId: undefined };
  }
  // Before the network check: InvalidRecordInputError is a TypeError, known by its class.
  const client = clientFailure(error);
  if (client !== undefined) {
    const text =
      client.kind === 'key_version_locked'
        ? t(client.reason === 'untrusted_granter' ? 'error.keyVersionLocked' : 'error.keyVersionNotGranted', {
            version: client.version,
          })
        : t(clientMessages[client.kind]);
    return { text, code: `client.${client.kind}`, requestId: undefined };
  }
  if (error instanceof TypeError && /fetch|network/i.test(error.message)) {
    return { text: t('error.network'), code: 'client.network', requestId: undefined };
  }
  return { text: t('error.generic'), code: undefined, requestId: undefined };
}

/** A failure on this device (crypto and SDK checks) that the user can be told about specifically. */
export type ClientFailure =
  | { readonly kind: 'decryption' | 'session_locked' | 'invalid_input' | 'file_changed' }
  | {
      readonly kind: 'key_version_locked';
      readonly version: number;
      readonly reason: KeyVersionLockedError['reason'];
    };

const clientMessages = {
  decryption: 'error.decryption',
  session_locked: 'error.sessionLocked',
  invalid_input: 'error.invalidInput',
  file_changed: 'error.fileChanged',
} as const satisfies Record<Exclude<ClientFailure['kind'], 'key_version_locked'>, MessageKey>;

/**
 * Recognises the client-side failures of @tresor/crypto and @tresor/sdk. `DecryptionError` is
 * known by its name (the SDK does not re-export the class); a locked session, a missing key
 * version, input refused before it was sealed and a file that changed during its upload by the
 * SDK's classes, never by their message text.
 */
export function clientFailure(error: unknown): ClientFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'DecryptionError') return { kind: 'decryption' };
  if (error instanceof KeyVersionLockedError) {
    return { kind: 'key_version_locked', version: error.version, reason: error.reason };
  }
  if (error instanceof SessionLockedError) return { kind: 'session_locked' };
  if (error instanceof InvalidRecordInputError) return { kind: 'invalid_input' };
  if (error instanceof UploadFileChangedError) return { kind: 'file_changed' };
  return undefined;
}

/** True when the failure means the session is gone (expired, revoked, user removed). */
export function isSessionGone(error: unknown): boolean {
  return error instanceof TresorApiError && error.code === 'auth.unauthenticated';
}

/** The API error code of a failure, if any. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TresorApiError ? error.code : undefined;
}
