import type { ReactNode } from 'react';
import { describeError } from '../api/describe-error';
import { useLocale, useT } from '../i18n/i18n';

/** A failure, said plainly, announced to screen readers; with the request id for support. */
export function ErrorAlert({ error }: { readonly error: unknown }) {
  const t = useT();
  const { locale } = useLocale();
  if (error === undefined || error === null) return null;
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
