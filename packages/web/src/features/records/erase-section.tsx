import type { ErasureCategory, Patient } from '@tresor/sdk';
import { useId, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { useRouter } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { useUnsavedInput } from '../../session/use-unsaved-input';
import { Button } from '../../ui/button';
import { CheckboxField } from '../../ui/checkbox-field';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { formatDate } from '../../ui/format';
import { SelectField } from '../../ui/select-field';

export const erasureCategories: readonly (readonly [ErasureCategory, MessageKey])[] = [
  ['patient_request', 'patients.erasePatientRequest'],
  ['consent_withdrawn', 'patients.eraseConsentWithdrawn'],
  ['retention_expired', 'patients.eraseRetentionExpired'],
  ['duplicate', 'patients.eraseDuplicate'],
  ['created_in_error', 'patients.eraseCreatedInError'],
  ['other', 'patients.eraseOther'],
];

/**
 * Erasure (crypto-shredding): the record's keys, ciphertext, index entries and documents are
 * destroyed. Under the legal retention period only a primary user may erase, with a reason
 * (sealed on this device).
 */
export function EraseSection({ patient }: { readonly patient: Patient }) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const { navigate } = useRouter();
  const reasonId = useId();
  const [category, setCategory] = useState<ErasureCategory>('patient_request');
  const [reason, setReason] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const today = new Date().toISOString().slice(0, 10);
  const retainedUntil =
    patient.retentionUntil !== undefined && patient.retentionUntil >= today
      ? patient.retentionUntil
      : undefined;
  const retained = retainedUntil !== undefined;
  const primary = session.info.user.role === 'primary';
  const erase = useAsyncAction(async () => {
    await session.records.erasePatient(patient.id, {
      category,
      ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
    });
    navigate('/patients', { replace: true });
  });
  const reasonMissing = retained && reason.trim() === '';
  useUnsavedInput(reason.trim() !== '');
  return (
    <section className="card stack danger-zone" aria-labelledby="erase-title">
      <h2 id="erase-title" className="card__title">
        {t('patients.eraseTitle')}
      </h2>
      <p>{t('patients.eraseExplain')}</p>
      {retainedUntil !== undefined && (
        <Notice tone="warning">
          {t(primary ? 'patients.retainedPrimary' : 'patients.retainedSecondary', {
            until: formatDate(retainedUntil, localeTag),
          })}
        </Notice>
      )}
      <SelectField<ErasureCategory>
        label={t('patients.eraseCategory')}
        value={category}
        onValue={setCategory}
        options={erasureCategories.map(([value, label]) => ({ value, label: t(label) }))}
      />
      <div className="field">
        <label className="field__label" htmlFor={reasonId}>
          {t(retained ? 'patients.eraseReasonRequired' : 'patients.eraseReason')}
        </label>
        <textarea
          id={reasonId}
          className="field__input"
          value={reason}
          maxLength={2000}
          onChange={(event) => {
            setReason(event.target.value);
          }}
        />
      </div>
      <CheckboxField label={t('patients.eraseConfirm')} checked={confirmed} onChecked={setConfirmed} />
      <ErrorAlert error={erase.error} copyText={() => reason} />
      <div className="actions">
        <Button
          variant="danger"
          disabled={!confirmed || reasonMissing}
          busy={erase.busy}
          onClick={() => {
            void erase.run();
          }}
        >
          {t('patients.eraseNow')}
        </Button>
      </div>
    </section>
  );
}
