import type { ReactNode } from 'react';
import { describeError, isSessionGone } from '../api/describe-error';
import { useLocale, useT } from '../i18n/i18n';
import { useSessionState } from '../session/session-context';
import { SessionEndedAlert } from './session-ended-alert';

/**
 * A failure, said plainly, announced to screen readers; with the request id for support. When the
 * server ended the session, says that the input is kept, offers `copyText` (what the form holds)
 * for copying, and signing in again.
 */
export function ErrorAlert({
  error,
  copyText,
}: {
  readonly error: unknown;
  readonly copyText?: (() => string) | undefined;
}) {
  const t = useT();
  const { locale } = useLocale();
  const { state } = useSessionState();
  if (error === undefined || error === null) return null;
  if (isSessionGone(error) && state.kind === 'signed-in') return <SessionEndedAlert copyText={copyText} />;
  const { text, code, requestId } = describeError(error, locale, t);
  return (
    <div className="alert alert--error" role="alert" data-error-code={code}>
      <p>{text}</p>
      {requestId !== undefined && <p className="alert__detail">{t('status.requestId', { id: requestId })}</p>}
    </div>
  );
}

/** A neutral or positive notice, announced politely. */
export function Notice({
  tone = 'info',
  children,
}: {
  readonly tone?: 'info' | 'ok' | 'warning';
  readonly children: ReactNode;
}) {
  return (
    <div className={`alert alert--${tone}`} role="status">
      {children}
    </div>
  );
}
