import { useT } from '../../i18n/i18n';
import { useRouter } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { PageHeading } from '../../ui/page-heading';
import { PatientForm } from './patient-form';
import { emptyPatientForm, masterFromForm, type PatientFormState } from './patient-form-state';

/** A new patient record, encrypted on this device. */
export function NewPatientPage() {
  const t = useT();
  const session = useSession();
  const { navigate } = useRouter();
  const save = useAsyncAction(async (form: PatientFormState) => {
    const patient = await session.records.createPatient(masterFromForm(form));
    navigate(`/patients/${patient.id}`, { replace: true });
  });
  return (
    <>
      <PageHeading intro={t('patients.newIntro')}>{t('patients.newTitle')}</PageHeading>
      <PatientForm
        initial={emptyPatientForm}
        submitLabel={t('patients.create')}
        busy={save.busy}
        error={save.error}
        onSave={(form) => {
          void save.run(form);
        }}
        onCancel={() => {
          navigate('/patients');
        }}
      />
    </>
  );
}
