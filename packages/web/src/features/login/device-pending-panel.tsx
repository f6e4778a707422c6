import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';

/** This device waits for approval: what to do, and the fingerprint the approver must compare. */
export function DevicePendingPanel({
  fingerprint,
  deviceName,
  onRetry,
  onCancel,
}: {
  readonly fingerprint: string;
  readonly deviceName: string;
  readonly onRetry: () => void;
  readonly onCancel: () => void;
}) {
  const t = useT();
  return (
    <section className="card" aria-labelledby="pending-title" data-testid="device-pending">
      <h2 id="pending-title" className="card__title">
        {t('login.pendingTitle')}
      </h2>
      <p>{t('login.pendingExplain', { device: deviceName })}</p>
      <h3 className="visually-hidden">{t('common.fingerprint')}</h3>
      <p className="fingerprint" data-testid="device-fingerprint">
        {fingerprint}
      </p>
      <p>{t('login.pendingNext')}</p>
      <div className="actions">
        <Button onClick={onRetry}>{t('login.pendingRetry')}</Button>
        <Button variant="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </section>
  );
}
