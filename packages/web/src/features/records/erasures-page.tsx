import { useCallback } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDate, formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';
import { erasureCategories } from './erase-section';

const categoryLabels = new Map(erasureCategories);

/**
 * Primary users: the erasure log (who erased which record when, and why; the reason decrypted on
 * this device) and the records whose legal retention period has run out.
 */
export function ErasuresPage() {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const load = useCallback(async () => {
    const [erasures, expired] = await Promise.all([
      session.records.erasures(),
      session.records.expiredRetention(),
    ]);
    return {
      erasures: [...erasures].sort((a, b) => (a.erasedAt < b.erasedAt ? 1 : -1)),
      expired,
    };
  }, [session]);
  const { state, reload } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('erasures.intro')}>{t('erasures.title')}</PageHeading>
      <div className="actions">
        <Button variant="secondary" onClick={reload}>
          {t('common.refresh')}
        </Button>
      </div>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && (
        <>
          <section className="card stack" aria-labelledby="expired-title" data-testid="expired-retention">
            <h2 id="expired-title" className="card__title">
              {t('erasures.expiredTitle')}
            </h2>
            <p>{t('erasures.expiredExplain')}</p>
            {state.value.expired.length === 0 ? (
              <p>{t('erasures.expiredNone')}</p>
            ) : (
              <ul className="card-list">
                {state.value.expired.map((record) => (
                  <li key={record.id}>
                    <Link to={`/patients/${record.id}`}>{t('erasures.openRecord')}</Link>{' '}
                    {t('erasures.retentionUntil', { date: formatDate(record.retentionUntil, localeTag) })}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card stack" aria-labelledby="erasure-log-title">
            <h2 id="erasure-log-title" className="card__title">
              {t('erasures.logTitle')}
            </h2>
            {state.value.erasures.length === 0 ? (
              <p>{t('erasures.logNone')}</p>
            ) : (
              <div className="table-scroll">
                <table className="table" data-testid="erasure-log">
                  <thead>
                    <tr>
                      <th scope="col">{t('erasures.when')}</th>
                      <th scope="col">{t('erasures.by')}</th>
                      <th scope="col">{t('erasures.category')}</th>
                      <th scope="col">{t('erasures.reason')}</th>
                      <th scope="col">{t('erasures.retention')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {state.value.erasures.map((erasure) => {
                      const label = categoryLabels.get(erasure.category);
                      return (
                        <tr key={erasure.patientId} data-testid="erasure">
                          <td>{formatDateTime(erasure.erasedAt, localeTag)}</td>
                          <td>{erasure.erasedBy.username}</td>
                          <td>{label === undefined ? erasure.category : t(label)}</td>
                          <td>{erasure.reason ?? '–'}</td>
                          <td>{erasure.underRetention ? t('erasures.underRetention') : '–'}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
