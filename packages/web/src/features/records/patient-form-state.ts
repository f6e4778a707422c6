import type { PatientMaster } from '@tresor/sdk';

export type Sex = PatientMaster['sex'];
export type InsuranceType = '' | 'gkv' | 'pkv' | 'self';

/** What the patient form holds: every field as typed (kept as is when saving fails). */
export interface PatientFormState {
  readonly givenName: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly sex: Sex;
  readonly street: string;
  readonly postalCode: string;
  readonly city: string;
  readonly phone: string;
  readonly email: string;
  readonly kvnr: string;
  readonly insurerName: string;
  readonly ik: string;
  readonly insuranceType: InsuranceType;
}

export const emptyPatientForm: PatientFormState = {
  givenName: '',
  familyName: '',
  birthDate: '',
  sex: 'unknown',
  street: '',
  postalCode: '',
  city: '',
  phone: '',
  email: '',
  kvnr: '',
  insurerName: '',
  ik: '',
  insuranceType: '',
};

export function formFromMaster(master: PatientMaster): PatientFormState {
  return {
    givenName: master.givenName,
    familyName: master.familyName,
    birthDate: master.birthDate,
    sex: master.sex,
    street: master.address?.street ?? '',
    postalCode: master.address?.postalCode ?? '',
    city: master.address?.city ?? '',
    phone: master.contact?.phone ?? '',
    email: master.contact?.email ?? '',
    kvnr: master.insurance?.kvnr ?? '',
    insurerName: master.insurance?.insurerName ?? '',
    ik: master.insurance?.ik ?? '',
    insuranceType: master.insurance?.type ?? '',
  };
}

/** Only the filled-in fields, trimmed; empty groups are left out. */
export function masterFromForm(form: PatientFormState): PatientMaster {
  const pick = <K extends string>(entries: readonly (readonly [K, string])[]) => {
    const filled = entries
      .map(([key, value]) => [key, value.trim()] as const)
      .filter(([, value]) => value !== '');
    return filled.length === 0 ? undefined : (Object.fromEntries(filled) as Partial<Record<K, string>>);
  };
  const address = pick([
    ['street', form.street],
    ['postalCode', form.postalCode],
    ['city', form.city],
  ]);
  const contact = pick([
    ['phone', form.phone],
    ['email', form.email],
  ]);
  const insuranceText = pick([
    ['kvnr', form.kvnr.toUpperCase()],
    ['insurerName', form.insurerName],
    ['ik', form.ik],
  ]);
  const insurance =
    insuranceText === undefined && form.insuranceType === ''
      ? undefined
      : { ...insuranceText, ...(form.insuranceType === '' ? {} : { type: form.insuranceType }) };
  return {
    givenName: form.givenName.trim(),
    familyName: form.familyName.trim(),
    birthDate: form.birthDate,
    sex: form.sex,
    ...(address && { address }),
    ...(contact && { contact }),
    ...(insurance && { insurance }),
  };
}

/** Problems that keep the form from being saved, by field. */
export function patientFormProblems(
  form: PatientFormState,
): Partial<Record<keyof PatientFormState, 'required' | 'date'>> {
  const problems: Partial<Record<keyof PatientFormState, 'required' | 'date'>> = {};
  if (form.givenName.trim() === '') problems.givenName = 'required';
  if (form.familyName.trim() === '') problems.familyName = 'required';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.birthDate)) problems.birthDate = 'date';
  return problems;
}
