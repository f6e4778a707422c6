import { useCallback } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';

/** Security alarms (e.g. repeated failed logins) for primary users. */
export function AlarmsPage() {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const load = useCallback(async () => {
    const [{ alarms }, { members }] = await Promise.all([session.alarms(), session.members()]);
    const names = new Map(members.map((member) => [member.userId, member.username]));
    return alarms.map((alarm) => ({
      ...alarm,
      username: alarm.userId === null ? '–' : (names.get(alarm.userId) ?? alarm.userId),
    }));
  }, [session]);
  const { state } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('alarms.intro')}>{t('alarms.title')}</PageHeading>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && state.value.length === 0 && <p>{t('alarms.none')}</p>}
      {state.kind === 'loaded' && state.value.length > 0 && (
        <ul className="card-list" data-testid="alarms">
          {state.value.map((alarm) => (
            <li key={alarm.id} className="card alert alert--warning">
              <p>
                <strong>
                  {alarm.kind === 'auth.repeated_failures' ? t('alarms.loginFailures') : alarm.kind}
                </strong>{' '}
                · {formatDateTime(alarm.createdAt, localeTag)}
              </p>
              <p>{t('alarms.user', { username: alarm.username })}</p>
              <p className="alert__detail">{alarm.detail}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
