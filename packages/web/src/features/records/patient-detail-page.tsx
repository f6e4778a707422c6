import { useCallback } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';
import { DocumentsSection } from './documents-section';
import { EntriesSection } from './entries-section';
import { EraseSection } from './erase-section';
import { MasterDataView } from './master-data-view';

/** One patient: master data, clinical entries, documents, erasure. */
export function PatientDetailPage({ patientId }: { readonly patientId: string }) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const load = useCallback(() => session.records.getPatient(patientId), [session, patientId]);
  const { state } = useLoaded(load);
  if (state.kind === 'failed') {
    return (
      <>
        <PageHeading>{t('patients.title')}</PageHeading>
        <ErrorAlert error={state.error} />
        <Link to="/patients">{t('patients.backToList')}</Link>
      </>
    );
  }
  if (state.kind === 'loading') return <p role="status">{t('common.loading')}</p>;
  const patient = state.value;
  return (
    <>
      <PageHeading
        intro={t('patients.versionLine', {
          version: patient.version,
          updated: formatDateTime(patient.updatedAt, localeTag),
        })}
      >
        {patient.master.familyName}, {patient.master.givenName}
      </PageHeading>
      <section className="card stack" aria-labelledby="master-title">
        <div className="toolbar">
          <h2 id="master-title" className="card__title">
            {t('patients.masterData')}
          </h2>
          <div className="actions">
            <Link className="button button--secondary" to={`/patients/${patient.id}/history`}>
              {t('patients.history')}
            </Link>
            <Link className="button button--primary" to={`/patients/${patient.id}/edit`}>
              {t('patients.edit')}
            </Link>
          </div>
        </div>
        <MasterDataView master={patient.master} />
      </section>
      <EntriesSection patientId={patient.id} />
      <DocumentsSection patientId={patient.id} />
      <EraseSection patient={patient} />
      <p>
        <Link to="/patients">{t('patients.backToList')}</Link>
      </p>
    </>
  );
}
