import { apiErrorMessage } from '../../api/api-error-message';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import type { ServerStatus } from './use-server-status';

type Tone = 'pending' | 'ok' | 'warning' | 'error';

/** The headline of the status card: one badge, one sentence, and when it was checked. */
export function StatusSummary({ status }: { readonly status: ServerStatus }) {
  const t = useT();
  const { localeTag } = useLocale();

  if (status.kind === 'loading') {
    return <Badge tone="pending" label={t('status.checking')} />;
  }

  const checkedAt = new Intl.DateTimeFormat(localeTag, { timeStyle: 'medium' }).format(status.checkedAt);
  const checkedLine = <p className="status-summary__time">{t('status.checkedAt', { time: checkedAt })}</p>;

  if (status.kind === 'failed') {
    const message = apiErrorMessage(status.error);
    return (
      <>
        <Badge tone="error" label={t(message.unreachable ? 'status.unreachable' : 'status.failed')} />
        <p className="status-summary__text">{t(message.key)}</p>
        {message.requestId !== undefined && (
          <p className="status-summary__request-id">{t('status.requestId', { id: message.requestId })}</p>
        )}
        {checkedLine}
      </>
    );
  }

  const ready = status.snapshot.readiness.status === 'ready';
  const [label, detail]: [MessageKey, MessageKey] = ready
    ? ['status.ready', 'status.readyDetail']
    : ['status.notReady', 'status.notReadyDetail'];
  return (
    <>
      <Badge tone={ready ? 'ok' : 'warning'} label={t(label)} />
      <p className="status-summary__text">{t(detail)}</p>
      {checkedLine}
    </>
  );
}

function Badge({ tone, label }: { readonly tone: Tone; readonly label: string }) {
  return (
    <p className={`status-badge status-badge--${tone}`}>
      <span className="status-badge__dot" aria-hidden="true" />
      {label}
    </p>
  );
}
