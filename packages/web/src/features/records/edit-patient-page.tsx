import { useCallback } from 'react';
import { useT } from '../../i18n/i18n';
import { useRouter } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { PatientForm } from './patient-form';
import { formFromMaster, masterFromForm, type PatientFormState } from './patient-form-state';

/**
 * Editing master data stores a new version (the old ones stay readable). If someone else saved in
 * between, the server refuses (`records.version_conflict`) and the form keeps what was typed.
 */
export function EditPatientPage({ patientId }: { readonly patientId: string }) {
  const t = useT();
  const session = useSession();
  const { navigate } = useRouter();
  const load = useCallback(() => session.records.getPatient(patientId), [session, patientId]);
  const { state } = useLoaded(load);
  const save = useAsyncAction(async (form: PatientFormState, expectedVersion: number) => {
    await session.records.updatePatient(patientId, masterFromForm(form), expectedVersion);
    navigate(`/patients/${patientId}`, { replace: true });
  });
  return (
    <>
      <PageHeading>{t('patients.editTitle')}</PageHeading>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && (
        <PatientForm
          initial={formFromMaster(state.value.master)}
          submitLabel={t('common.save')}
          busy={save.busy}
          error={save.error}
          onSave={(form) => {
            void save.run(form, state.value.version);
          }}
          onCancel={() => {
            navigate(`/patients/${patientId}`);
          }}
        />
      )}
    </>
  );
}
