import { useLocale, useT } from '../../i18n/i18n';
import { formatBytes } from '../../ui/format';

/** The repository's usage as `AccountSession.backupUsage()` reports it. */
export interface BackupUsageView {
  readonly objects: number;
  readonly bytes: number;
  readonly quotaBytes: number;
  readonly lockDays: number;
}

/** Used space against the quota, the number of objects and the lock period. */
export function BackupUsage({ usage }: { readonly usage: BackupUsageView }) {
  const t = useT();
  const { localeTag } = useLocale();
  const used = formatBytes(usage.bytes, localeTag);
  const quota = formatBytes(usage.quotaBytes, localeTag);
  return (
    <section className="card stack" aria-labelledby="backup-usage-title" data-testid="backup-usage">
      <h2 id="backup-usage-title" className="card__title">
        {t('backup.usageTitle')}
      </h2>
      <dl className="facts">
        <div>
          <dt>{t('backup.usageUsed')}</dt>
          <dd>
            <meter
              min={0}
              max={Math.max(usage.quotaBytes, 1)}
              value={usage.bytes}
              aria-label={t('backup.usageUsed')}
            />{' '}
            {t('backup.usageOf', { used, quota })}
          </dd>
        </div>
        <div>
          <dt>{t('backup.usageObjects')}</dt>
          <dd>{new Intl.NumberFormat(localeTag).format(usage.objects)}</dd>
        </div>
        <div>
          <dt>{t('backup.usageLock')}</dt>
          <dd>{t('backup.usageLockDays', { days: usage.lockDays })}</dd>
        </div>
      </dl>
      <p className="field__hint">{t('backup.usageLockExplain')}</p>
    </section>
  );
}
