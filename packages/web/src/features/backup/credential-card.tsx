import type { backup } from '@tresor/sdk/contract';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { ConfirmAction } from '../../ui/confirm-action';
import { formatDateTime } from '../../ui/format';
import { kindLabels } from './credential-kinds';

/** One backup credential: name, kind, created and revoked; revoke behind a confirmation. */
export function CredentialCard({
  credential,
  onChanged,
}: {
  readonly credential: backup.CredentialView;
  readonly onChanged: () => void;
}) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const revoked = credential.revokedAt !== null;
  return (
    <li
      className="card stack"
      aria-label={credential.name}
      data-testid="backup-credential"
      data-status={revoked ? 'revoked' : 'active'}
    >
      <div className="member__head">
        <h3 className="member__name">
          {credential.name}
          <span className="tag">{t(kindLabels[credential.kind])}</span>
        </h3>
        <span className={`tag tag--${revoked ? 'muted' : 'ok'}`}>
          {t(revoked ? 'backup.revoked' : 'backup.active')}
        </span>
      </div>
      <p>
        {t('backup.created', { when: formatDateTime(credential.createdAt, localeTag) })}
        {credential.revokedAt !== null &&
          ` · ${t('backup.revokedAt', { when: formatDateTime(credential.revokedAt, localeTag) })}`}
      </p>
      {!revoked && (
        <div className="actions">
          <ConfirmAction
            label={t('backup.revoke')}
            question={t('backup.revokeQuestion', { name: credential.name })}
            confirmLabel={t('backup.revokeConfirm')}
            action={async () => {
              await session.revokeBackupCredential(credential.id);
              onChanged();
            }}
          />
        </div>
      )}
    </li>
  );
}
