import { useCallback } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';
import { newestAuditEntries } from './audit-entries';
import { auditActionLabel } from './audit-labels';
import { AuditVerifyPanel } from './audit-verify-panel';

const SHOWN = 200;

/** The practice's audit trail (newest entries) and its verification. */
export function AuditPage() {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const load = useCallback(async () => {
    const [entries, { members }] = await Promise.all([newestAuditEntries(session, SHOWN), session.members()]);
    const names = new Map(members.map((member) => [member.userId, member.username]));
    return entries.map((entry) => ({
      ...entry,
      actor: entry.actorUserId === null ? '–' : (names.get(entry.actorUserId) ?? entry.actorUserId),
    }));
  }, [session]);
  const { state, reload } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('audit.intro')}>{t('audit.title')}</PageHeading>
      <AuditVerifyPanel />
      <section aria-labelledby="entries-title" className="stack">
        <div className="toolbar">
          <h2 id="entries-title" className="section-title">
            {t('audit.entriesTitle', { count: SHOWN })}
          </h2>
          <Button variant="secondary" onClick={reload}>
            {t('common.refresh')}
          </Button>
        </div>
        {state.kind === 'failed' && <ErrorAlert error={state.error} />}
        {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
        {state.kind === 'loaded' && (
          <div className="table-scroll">
            <table className="table" data-testid="audit-entries">
              <thead>
                <tr>
                  <th scope="col">{t('audit.seq')}</th>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.actor')}</th>
                  <th scope="col">{t('audit.target')}</th>
                </tr>
              </thead>
              <tbody>
                {state.value.map((entry) => (
                  <tr key={entry.seq}>
                    <td>{entry.seq}</td>
                    <td>{formatDateTime(entry.occurredAt, localeTag)}</td>
                    <td data-action={entry.action}>{auditActionLabel(entry.action, t)}</td>
                    <td>{entry.actor}</td>
                    <td>
                      <code className="id">{entry.targetId ?? '–'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
