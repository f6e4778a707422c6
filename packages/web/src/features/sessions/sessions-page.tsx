import { useCallback, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { useLoaded } from '../../session/use-loaded';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';
import { SelectField } from '../../ui/select-field';

type Scope = 'own' | 'practice';

/** Signed-in sessions (own, or for primaries the whole practice): revoke one, or all others. */
export function SessionsPage() {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const primary = session.info.user.role === 'primary';
  const [scope, setScope] = useState<Scope>('own');
  const [revokedOthers, setRevokedOthers] = useState<number | undefined>(undefined);
  const load = useCallback(async () => {
    const [{ sessions }, { members }] = await Promise.all([session.sessions(scope), session.members()]);
    const names = new Map(members.map((member) => [member.userId, member.username]));
    return sessions.map((entry) => ({ ...entry, username: names.get(entry.userId) ?? entry.userId }));
  }, [session, scope]);
  const { state, reload } = useLoaded(load);
  const revoke = useAsyncAction(async (id: string) => {
    await session.revokeSession(id);
    reload();
  });
  const revokeOthers = useAsyncAction(async () => {
    const { revoked } = await session.revokeOtherSessions();
    setRevokedOthers(revoked);
    reload();
  });
  return (
    <>
      <PageHeading intro={t('sessions.intro')}>{t('sessions.title')}</PageHeading>
      <div className="toolbar">
        {primary && (
          <SelectField<Scope>
            label={t('sessions.scope')}
            value={scope}
            onValue={setScope}
            options={[
              { value: 'own', label: t('sessions.scopeOwn') },
              { value: 'practice', label: t('sessions.scopePractice') },
            ]}
          />
        )}
        <Button
          variant="secondary"
          busy={revokeOthers.busy}
          onClick={() => {
            void revokeOthers.run();
          }}
        >
          {t('sessions.revokeOthers')}
        </Button>
      </div>
      {revokedOthers !== undefined && (
        <Notice tone="ok">{t('sessions.revokedOthers', { count: revokedOthers })}</Notice>
      )}
      <ErrorAlert error={revoke.error ?? revokeOthers.error} />
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && (
        <div className="table-scroll">
          <table className="table" data-testid="sessions">
            <thead>
              <tr>
                <th scope="col">{t('sessions.user')}</th>
                <th scope="col">{t('sessions.started')}</th>
                <th scope="col">{t('sessions.lastSeen')}</th>
                <th scope="col">{t('sessions.expires')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.value.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    {entry.username}
                    {entry.current && <span className="tag">{t('sessions.current')}</span>}
                  </td>
                  <td>{formatDateTime(entry.createdAt, localeTag)}</td>
                  <td>{formatDateTime(entry.lastSeenAt, localeTag)}</td>
                  <td>{formatDateTime(entry.expiresAt, localeTag)}</td>
                  <td>
                    {!entry.current && (
                      <Button
                        variant="secondary"
                        onClick={() => {
                          void revoke.run(entry.id);
                        }}
                      >
                        {t('sessions.revoke')}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
