import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useUnsavedInput } from '../../session/use-unsaved-input';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { SelectField, type SelectOption } from '../../ui/select-field';
import { TextField } from '../../ui/text-field';
import {
  type InsuranceType,
  type PatientFormState,
  patientFormProblems,
  type Sex,
} from './patient-form-state';

/**
 * Master data of a patient. The form owns what was typed: a failed save shows the error and
 * leaves every field as it was (nothing is written to browser storage: it is patient data). If the
 * server ended the session, the form stays on screen and offers its input for copying first.
 */
export function PatientForm({
  initial,
  submitLabel,
  busy,
  error,
  onSave,
  onCancel,
}: {
  readonly initial: PatientFormState;
  readonly submitLabel: string;
  readonly busy: boolean;
  readonly error: unknown;
  readonly onSave: (form: PatientFormState) => void;
  readonly onCancel: () => void;
}) {
  const t = useT();
  const [form, setForm] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  const problems = patientFormProblems(form);
  const changed = (Object.keys(form) as (keyof PatientFormState)[]).some((key) => form[key] !== initial[key]);
  useUnsavedInput(changed);
  const sexOptions: readonly SelectOption<Sex>[] = [
    { value: 'female', label: t('patients.sexFemale') },
    { value: 'male', label: t('patients.sexMale') },
    { value: 'diverse', label: t('patients.sexDiverse') },
    { value: 'unknown', label: t('patients.sexUnknown') },
  ];
  const insuranceOptions: readonly SelectOption<InsuranceType>[] = [
    { value: '', label: t('patients.insuranceNone') },
    { value: 'gkv', label: t('patients.insuranceGkv') },
    { value: 'pkv', label: t('patients.insurancePkv') },
    { value: 'self', label: t('patients.insuranceSelf') },
  ];
  /** What was typed, as "Label: value" lines, for copying when the session ended before saving. */
  const copyText = () =>
    (
      [
        [t('patients.givenName'), form.givenName],
        [t('patients.familyName'), form.familyName],
        [t('patients.birthDate'), form.birthDate],
        [t('patients.sex'), sexOptions.find((option) => option.value === form.sex)?.label ?? ''],
        [t('patients.street'), form.street],
        [t('patients.postalCode'), form.postalCode],
        [t('patients.city'), form.city],
        [t('patients.phone'), form.phone],
        [t('patients.email'), form.email],
        [
          t('patients.insuranceType'),
          form.insuranceType === ''
            ? ''
            : (insuranceOptions.find((option) => option.value === form.insuranceType)?.label ?? ''),
        ],
        [t('patients.kvnr'), form.kvnr],
        [t('patients.insurerName'), form.insurerName],
        [t('patients.ik'), form.ik],
      ] as const
    )
      .filter(([, value]) => value.trim() !== '')
      .map(([label, value]) => `${label}: ${value}`)
      .join('\n');
  const set = (key: keyof PatientFormState) => (value: string) => {
    setForm((previous) => ({ ...previous, [key]: value }));
  };
  const problem = (key: keyof PatientFormState) => {
    const found = submitted ? problems[key] : undefined;
    return found === undefined ? undefined : t(found === 'date' ? 'patients.dateInvalid' : 'form.required');
  };
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length === 0) onSave(form);
  };
  return (
    <form className="card form patient-form" onSubmit={onSubmit} noValidate>
      <fieldset className="fieldset">
        <legend>{t('patients.person')}</legend>
        <div className="form__row">
          <TextField
            label={t('patients.givenName')}
            value={form.givenName}
            onValue={set('givenName')}
            required
            maxLength={200}
            autoComplete="off"
            problem={problem('givenName')}
          />
          <TextField
            label={t('patients.familyName')}
            value={form.familyName}
            onValue={set('familyName')}
            required
            maxLength={200}
            autoComplete="off"
            problem={problem('familyName')}
          />
        </div>
        <div className="form__row">
          <TextField
            label={t('patients.birthDate')}
            type="date"
            value={form.birthDate}
            onValue={set('birthDate')}
            required
            problem={problem('birthDate')}
          />
          <SelectField<Sex>
            label={t('patients.sex')}
            value={form.sex}
            onValue={set('sex')}
            options={sexOptions}
          />
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>{t('patients.address')}</legend>
        <TextField
          label={t('patients.street')}
          value={form.street}
          onValue={set('street')}
          maxLength={200}
          autoComplete="off"
        />
        <div className="form__row">
          <TextField
            label={t('patients.postalCode')}
            value={form.postalCode}
            onValue={set('postalCode')}
            maxLength={20}
            autoComplete="off"
          />
          <TextField
            label={t('patients.city')}
            value={form.city}
            onValue={set('city')}
            maxLength={200}
            autoComplete="off"
          />
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>{t('patients.contact')}</legend>
        <div className="form__row">
          <TextField
            label={t('patients.phone')}
            type="tel"
            value={form.phone}
            onValue={set('phone')}
            maxLength={100}
            autoComplete="off"
          />
          <TextField
            label={t('patients.email')}
            type="email"
            value={form.email}
            onValue={set('email')}
            maxLength={200}
            autoComplete="off"
          />
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>{t('patients.insurance')}</legend>
        <div className="form__row">
          <SelectField<InsuranceType>
            label={t('patients.insuranceType')}
            value={form.insuranceType}
            onValue={set('insuranceType')}
            options={insuranceOptions}
          />
          <TextField
            label={t('patients.kvnr')}
            value={form.kvnr}
            onValue={set('kvnr')}
            maxLength={20}
            autoComplete="off"
            hint={t('patients.kvnrHint')}
          />
        </div>
        <div className="form__row">
          <TextField
            label={t('patients.insurerName')}
            value={form.insurerName}
            onValue={set('insurerName')}
            maxLength={200}
            autoComplete="off"
          />
          <TextField
            label={t('patients.ik')}
            value={form.ik}
            onValue={set('ik')}
            maxLength={20}
            autoComplete="off"
          />
        </div>
      </fieldset>
      <ErrorAlert error={error} copyText={copyText} />
      <div className="actions">
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
