import { useCallback } from 'react';
import { type Translate, useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';

/** The alarm kinds the server raises, in words; an unknown kind is shown as its code. */
const alarmKinds: Readonly<Partial<Record<string, MessageKey>>> = {
  'auth.repeated_failures': 'alarms.loginFailures',
  'integrity.data_damaged': 'alarms.dataDamaged',
};

function alarmKindLabel(kind: string, t: Translate): string {
  const key = alarmKinds[kind];
  return key === undefined ? kind : t(key);
}

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
                <strong data-kind={alarm.kind}>{alarmKindLabel(alarm.kind, t)}</strong> ·{' '}
                {formatDateTime(alarm.createdAt, localeTag)}
              </p>
              <p>{t('alarms.user', { username: alarm.username })}</p>
              <p className="alert__detail">
                {t('alarms.detail')} <span lang="en">{alarm.detail}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
