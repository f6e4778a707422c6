import type { accounts } from '@tresor/sdk/contract';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';

const stateLabels: Readonly<Record<accounts.InviteView['state'], MessageKey>> = {
  pending: 'users.invitePending',
  accepted: 'users.inviteAccepted',
  expired: 'users.inviteExpired',
  revoked: 'users.inviteRevoked',
};

/** Invites of the practice with their state; open ones can be withdrawn. */
export function InviteList({
  invites,
  onChanged,
}: {
  readonly invites: readonly accounts.InviteView[];
  readonly onChanged: () => void;
}) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const revoke = useAsyncAction(async (id: string) => {
    await session.revokeInvite(id);
    onChanged();
  });
  if (invites.length === 0) return null;
  return (
    <section aria-labelledby="invites-title" className="stack">
      <h2 id="invites-title" className="section-title">
        {t('users.invitesTitle')}
      </h2>
      <ErrorAlert error={revoke.error} />
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('users.role')}</th>
            <th scope="col">{t('users.inviteState')}</th>
            <th scope="col">{t('users.inviteExpires')}</th>
            <th scope="col">{t('users.invitee')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invites.map((invite) => (
            <tr key={invite.inviteId}>
              <td>{t(invite.role === 'primary' ? 'role.primary' : 'role.secondary')}</td>
              <td>{t(stateLabels[invite.state])}</td>
              <td>{formatDateTime(invite.expiresAt, localeTag)}</td>
              <td>{invite.invitee?.username ?? '–'}</td>
              <td>
                {invite.state === 'pending' && (
                  <Button
                    variant="secondary"
                    onClick={() => {
                      void revoke.run(invite.inviteId);
                    }}
                  >
                    {t('users.revokeInvite')}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
