import type { accounts } from '@tresor/sdk/contract';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { ErrorAlert } from '../../ui/error-alert';
import { SelectField } from '../../ui/select-field';
import { HandOverPanel } from './hand-over-panel';
import { RemoveMember } from './remove-member';
import { useMemberFingerprint } from './use-member-fingerprint';

type Role = 'primary' | 'secondary';

/** One member: role, key status and fingerprint; primaries can hand over, change role, remove. */
export function MemberCard({
  member,
  currentPkVersion,
  otherMemberIds,
  onChanged,
}: {
  readonly member: accounts.MemberView;
  readonly currentPkVersion: number;
  readonly otherMemberIds: readonly string[];
  readonly onChanged: () => void;
}) {
  const t = useT();
  const session = useSession();
  const self = member.userId === session.userId;
  // Own keys: computed from this device's own key pair, never from the server's copy.
  const fingerprint = useMemberFingerprint(member, self ? session : undefined);
  const changeRole = useAsyncAction(async (role: Role) => {
    await session.changeRole(member.userId, role);
    onChanged();
  });
  const primary = session.info.user.role === 'primary';
  const active = member.status === 'active';
  const hasKey = member.keyVersions.includes(currentPkVersion);
  return (
    <li className="card member" data-testid="member" data-username={member.username}>
      <div className="member__head">
        <h3 className="member__name">
          {member.username}
          {self && <span className="tag">{t('users.you')}</span>}
        </h3>
        <span className={`tag tag--${active ? (hasKey ? 'ok' : 'warning') : 'muted'}`}>
          {!active ? t('users.statusRemoved') : hasKey ? t('users.hasKey') : t('users.awaitingKey')}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>{t('users.role')}</dt>
          <dd>{t(member.role === 'primary' ? 'role.primary' : 'role.secondary')}</dd>
        </div>
        <div>
          <dt>{t('common.fingerprint')}</dt>
          <dd className="fingerprint fingerprint--small" data-testid="listed-fingerprint">
            {fingerprint ?? '…'}
          </dd>
        </div>
      </dl>
      {primary && active && !hasKey && fingerprint !== undefined && (
        <HandOverPanel
          userId={member.userId}
          username={member.username}
          fingerprint={fingerprint}
          onGranted={onChanged}
        />
      )}
      {primary && active && !self && (
        <div className="member__actions">
          <SelectField<Role>
            label={t('users.changeRole')}
            value={member.role}
            disabled={changeRole.busy}
            onValue={(role) => {
              void changeRole.run(role);
            }}
            options={[
              { value: 'secondary', label: t('role.secondary') },
              { value: 'primary', label: t('role.primary') },
            ]}
          />
          <RemoveMember
            userId={member.userId}
            username={member.username}
            otherMemberIds={otherMemberIds}
            onRemoved={onChanged}
          />
        </div>
      )}
      <ErrorAlert error={changeRole.error} />
    </li>
  );
}
