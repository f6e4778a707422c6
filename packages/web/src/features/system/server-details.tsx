import type { ServerInfo } from '@tresor/sdk';
import type { ReactNode } from 'react';
import { apiErrorMessage } from '../../api/api-error-message';
import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import type { ServerSnapshot } from './use-server-status';

const storageKeys: Readonly<Record<ServerInfo['storage'], MessageKey>> = {
  embedded: 'status.storageEmbedded',
  postgresql: 'status.storagePostgresql',
};

/** Name, version and storage of the server, then the state of its parts. */
export function ServerDetails({ snapshot }: { readonly snapshot: ServerSnapshot }) {
  const t = useT();
  const { info, readiness } = snapshot;
  return (
    <>
      <dl className="server-details" aria-label={t('status.detailsLabel')}>
        {info.ok && (
          <>
            <Row label={t('status.name')}>{info.value.name}</Row>
            <Row label={t('status.version')}>{info.value.version}</Row>
            <Row label={t('status.storage')}>{t(storageKeys[info.value.storage])}</Row>
          </>
        )}
        <Row label={t('status.health')}>{t('status.healthOk')}</Row>
        <Row label={t('status.database')}>
          {t(readiness.database === 'ok' ? 'status.databaseOk' : 'status.databaseUnreachable')}
        </Row>
        <Row label={t('status.migrations')}>
          {t(readiness.migrations === 'current' ? 'status.migrationsCurrent' : 'status.migrationsPending')}
        </Row>
        {info.ok && (
          <Row label={t('status.schemaVersion')}>
            <code>{info.value.schemaVersion}</code>
          </Row>
        )}
      </dl>
      {!info.ok && (
        <p className="server-details__note">
          {t('status.infoUnavailable', { message: t(apiErrorMessage(info.error).key) })}
        </p>
      )}
    </>
  );
}

function Row({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <div className="server-details__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
