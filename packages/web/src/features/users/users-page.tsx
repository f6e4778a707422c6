import { useCallback } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { InviteForm } from './invite-form';
import { InviteList } from './invite-list';
import { MemberCard } from './member-card';

/** The practice's members and (for primaries) invites, hand-over, roles and removal. */
export function UsersPage() {
  const t = useT();
  const session = useSession();
  const primary = session.info.user.role === 'primary';
  const load = useCallback(
    async () => ({
      members: await session.members(),
      invites: primary ? (await session.invites()).invites : [],
    }),
    [session, primary],
  );
  const { state, reload } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('users.intro')}>{t('users.title')}</PageHeading>
      {primary && <InviteForm onCreated={reload} />}
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && (
        <>
          <section aria-labelledby="members-title" className="stack">
            <div className="toolbar">
              <h2 id="members-title" className="section-title">
                {t('users.membersTitle')}
              </h2>
              <Button variant="secondary" onClick={reload}>
                {t('common.refresh')}
              </Button>
            </div>
            <ul className="card-list">
              {state.value.members.members.map((member) => (
                <MemberCard
                  key={member.userId}
                  member={member}
                  currentPkVersion={state.value.members.currentPkVersion}
                  otherMemberIds={state.value.members.members
                    .filter(
                      (other) =>
                        other.status === 'active' &&
                        other.userId !== member.userId &&
                        other.userId !== session.userId,
                    )
                    .map((other) => other.userId)}
                  onChanged={reload}
                />
              ))}
            </ul>
          </section>
          {primary && <InviteList invites={state.value.invites} onChanged={reload} />}
        </>
      )}
    </>
  );
}
