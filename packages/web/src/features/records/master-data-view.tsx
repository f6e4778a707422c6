import type { PatientMaster } from '@tresor/sdk';
import type { ReactNode } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { formatDate } from '../../ui/format';

const sexLabels: Readonly<Record<PatientMaster['sex'], MessageKey>> = {
  female: 'patients.sexFemale',
  male: 'patients.sexMale',
  diverse: 'patients.sexDiverse',
  unknown: 'patients.sexUnknown',
};
const insuranceLabels: Readonly<Record<'gkv' | 'pkv' | 'self', MessageKey>> = {
  gkv: 'patients.insuranceGkv',
  pkv: 'patients.insurancePkv',
  self: 'patients.insuranceSelf',
};

/** Master data as a definition list; `changed` marks fields that differ from the previous version. */
export function MasterDataView({
  master,
  changed = new Set(),
}: {
  readonly master: PatientMaster;
  readonly changed?: ReadonlySet<string>;
}) {
  const t = useT();
  const { localeTag } = useLocale();
  const address = [
    master.address?.street,
    [master.address?.postalCode, master.address?.city].filter(Boolean).join(' '),
  ]
    .filter(Boolean)
    .join(', ');
  const insurance = master.insurance;
  return (
    <dl className="facts">
      <Fact label={t('patients.name')} changed={changed.has('name')}>
        {master.givenName} {master.familyName}
      </Fact>
      <Fact label={t('patients.birthDate')} changed={changed.has('birthDate')}>
        {formatDate(master.birthDate, localeTag)}
      </Fact>
      <Fact label={t('patients.sex')} changed={changed.has('sex')}>
        {t(sexLabels[master.sex])}
      </Fact>
      <Fact label={t('patients.address')} changed={changed.has('address')}>
        {address === '' ? '–' : address}
      </Fact>
      <Fact label={t('patients.contact')} changed={changed.has('contact')}>
        {[master.contact?.phone, master.contact?.email].filter(Boolean).join(' · ') || '–'}
      </Fact>
      <Fact label={t('patients.insurance')} changed={changed.has('insurance')}>
        {insurance === undefined
          ? '–'
          : [
              insurance.type === undefined ? undefined : t(insuranceLabels[insurance.type]),
              insurance.insurerName,
              insurance.kvnr === undefined ? undefined : `${t('patients.kvnr')} ${insurance.kvnr}`,
              insurance.ik === undefined ? undefined : `${t('patients.ik')} ${insurance.ik}`,
            ]
              .filter(Boolean)
              .join(' · ')}
      </Fact>
    </dl>
  );
}

function Fact({
  label,
  changed,
  children,
}: {
  readonly label: string;
  readonly changed: boolean;
  readonly children: ReactNode;
}) {
  return (
    <div className={changed ? 'fact--changed' : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Which groups of master data differ between two versions. */
export function changedGroups(
  previous: PatientMaster | undefined,
  current: PatientMaster,
): ReadonlySet<string> {
  if (previous === undefined) return new Set();
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const changed = new Set<string>();
  if (previous.givenName !== current.givenName || previous.familyName !== current.familyName)
    changed.add('name');
  if (previous.birthDate !== current.birthDate) changed.add('birthDate');
  if (previous.sex !== current.sex) changed.add('sex');
  if (!same(previous.address, current.address)) changed.add('address');
  if (!same(previous.contact, current.contact)) changed.add('contact');
  if (!same(previous.insurance, current.insurance)) changed.add('insurance');
  return changed;
}
