import { useCallback } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';
import { changedGroups, MasterDataView } from './master-data-view';

/** Every stored version of a patient's master data (newest first), who saved it and when. */
export function PatientHistoryPage({ patientId }: { readonly patientId: string }) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const load = useCallback(() => session.records.patientHistory(patientId), [session, patientId]);
  const { state } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('patients.historyIntro')}>{t('patients.historyTitle')}</PageHeading>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && (
        <ol className="card-list" data-testid="versions">
          {state.value
            .map((version, index) => ({ version, previous: state.value[index - 1] }))
            .reverse()
            .map(({ version, previous }) => (
              <li
                key={version.version}
                className="card stack"
                data-testid="version"
                data-version={version.version}
              >
                <h2 className="card__title">
                  {t(previous === undefined ? 'patients.versionOriginal' : 'patients.versionNumber', {
                    version: version.version,
                  })}
                </h2>
                <p>
                  {t('patients.changedBy', {
                    user: version.changedBy.username || version.changedBy.userId,
                    time: formatDateTime(version.changedAt, localeTag),
                  })}
                </p>
                <MasterDataView
                  master={version.master}
                  changed={changedGroups(previous?.master, version.master)}
                />
              </li>
            ))}
        </ol>
      )}
      <p>
        <Link to={`/patients/${patientId}`}>{t('patients.backToPatient')}</Link>
      </p>
    </>
  );
}
