import { useId } from 'react';
import { useT } from '../../i18n/i18n';
import { ServerDetails } from './server-details';
import { StatusSummary } from './status-summary';
import { useServerStatus } from './use-server-status';

/** Live status of the server this app was loaded from, with a button to check again. */
export function ServerStatus() {
  const t = useT();
  const headingId = useId();
  const { status, busy, recheck } = useServerStatus();

  // aria-disabled rather than disabled: a disabled button would drop keyboard focus mid-check.
  const onClick = () => {
    if (!busy) recheck();
  };
  const buttonLabel = busy
    ? t('status.busy')
    : t(status.kind === 'failed' ? 'status.retry' : 'status.refresh');

  return (
    <section className="card server-status" aria-labelledby={headingId}>
      <h2 id={headingId} className="card__title">
        {t('status.heading')}
      </h2>
      <div className="status-summary" role="status" aria-live="polite" aria-atomic="true">
        <StatusSummary status={status} />
      </div>
      {status.kind === 'loaded' && <ServerDetails snapshot={status.snapshot} />}
      <div className="server-status__actions">
        <button type="button" className="button" aria-disabled={busy} onClick={onClick}>
          {buttonLabel}
        </button>
      </div>
    </section>
  );
}
