import { useCallback } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { BackupUsage } from './backup-usage';
import { CreateCredentialForm } from './create-credential-form';
import { CredentialCard } from './credential-card';
import { KindsExplained } from './kinds-explained';

/** Primary users: the practice's cloud backup: usage, credentials for tresor-backup, new ones. */
export function BackupPage() {
  const t = useT();
  const session = useSession();
  const load = useCallback(async () => {
    const [usage, { credentials }] = await Promise.all([session.backupUsage(), session.backupCredentials()]);
    const active = credentials.filter((credential) => credential.revokedAt === null);
    const revoked = credentials.filter((credential) => credential.revokedAt !== null);
    return { usage, credentials: [...active, ...revoked] };
  }, [session]);
  const { state, reload } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('backup.intro')}>{t('backup.title')}</PageHeading>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && <BackupUsage usage={state.value.usage} />}
      <KindsExplained />
      <CreateCredentialForm onCreated={reload} />
      {state.kind === 'loaded' && (
        <section className="card stack" aria-labelledby="backup-list-title">
          <h2 id="backup-list-title" className="card__title">
            {t('backup.listTitle')}
          </h2>
          {state.value.credentials.length === 0 ? (
            <p>{t('backup.none')}</p>
          ) : (
            <ul className="card-list" aria-label={t('backup.listLabel')}>
              {state.value.credentials.map((credential) => (
                <CredentialCard key={credential.id} credential={credential} onChanged={reload} />
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}
