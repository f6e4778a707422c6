import { useEffect, useRef } from 'react';
import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';
import { CopyableSecret } from './copyable-secret';

/** A new credential's token, shown once, with the command line that uses it. */
export function OneTimeToken({
  name,
  token,
  onDone,
}: {
  readonly name: string;
  readonly token: string;
  readonly onDone: () => void;
}) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const command = `TRESOR_BACKUP_CLOUD_URL=${window.location.origin} TRESOR_BACKUP_CLOUD_TOKEN=${token} tresor-backup replicate`;
  return (
    <section className="card stack" aria-labelledby="backup-token-title" data-testid="backup-token">
      <h2 id="backup-token-title" className="card__title" tabIndex={-1} ref={heading}>
        {t('backup.tokenTitle', { name })}
      </h2>
      <div className="alert alert--warning" role="alert">
        <p>{t('backup.tokenWarning')}</p>
      </div>
      <CopyableSecret
        label={t('backup.token')}
        value={token}
        copyLabel={t('backup.copy')}
        testId="backup-token-value"
      />
      <CopyableSecret
        label={t('backup.command')}
        value={command}
        copyLabel={t('backup.copyCommand')}
        testId="backup-token-command"
      />
      <div className="actions">
        <Button variant="secondary" onClick={onDone}>
          {t('backup.tokenDone')}
        </Button>
      </div>
    </section>
  );
}
