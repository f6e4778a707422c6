import type { EntryInput } from '@tresor/sdk';
import { type SubmitEvent, useId, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { SelectField } from '../../ui/select-field';
import { TextField } from '../../ui/text-field';

type Kind = EntryInput['kind'];

/** Adds a note, diagnosis (ICD-10-GM) or medication; the text stays if saving fails. */
export function EntryForm({
  patientId,
  onAdded,
}: {
  readonly patientId: string;
  readonly onAdded: () => void;
}) {
  const t = useT();
  const session = useSession();
  const textId = useId();
  const [kind, setKind] = useState<Kind>('note');
  const [text, setText] = useState('');
  const [icd10, setIcd10] = useState('');
  const [name, setName] = useState('');
  const [dosage, setDosage] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const add = useAsyncAction(async (entry: EntryInput) => {
    await session.records.addEntry(patientId, entry);
    setText('');
    setIcd10('');
    setName('');
    setDosage('');
    onAdded();
  });
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const entry = toEntry();
    if (entry === undefined) return;
    setProblem(undefined);
    void add.run(entry);
  };
  const toEntry = (): EntryInput | undefined => {
    switch (kind) {
      case 'note':
        if (text.trim() === '') {
          fail(t('form.required'));
          return undefined;
        }
        return { kind, text: text.trim() };
      case 'diagnosis': {
        const code = icd10.trim().toUpperCase();
        if (!/^[A-Z][0-9]{2}(\.[0-9A-Z-]{1,4})?[+*!†]?$/.test(code)) {
          fail(t('patients.icd10Invalid'));
          return undefined;
        }
        return { kind, icd10: code, text: text.trim() };
      }
      case 'medication':
        if (name.trim() === '') {
          fail(t('form.required'));
          return undefined;
        }
        return { kind, name: name.trim(), ...(dosage.trim() === '' ? {} : { dosage: dosage.trim() }) };
    }
  };
  const fail = (message: string) => {
    setProblem(message);
  };
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label={t('patients.addEntry')}>
      <SelectField<Kind>
        label={t('patients.entryKind')}
        value={kind}
        onValue={setKind}
        options={[
          { value: 'note', label: t('patients.kindNote') },
          { value: 'diagnosis', label: t('patients.kindDiagnosis') },
          { value: 'medication', label: t('patients.kindMedication') },
        ]}
      />
      {kind === 'diagnosis' && (
        <TextField
          label={t('patients.icd10')}
          value={icd10}
          onValue={setIcd10}
          maxLength={10}
          autoComplete="off"
          hint={t('patients.icd10Hint')}
        />
      )}
      {kind === 'medication' ? (
        <div className="form__row">
          <TextField
            label={t('patients.medicationName')}
            value={name}
            onValue={setName}
            maxLength={500}
            autoComplete="off"
          />
          <TextField
            label={t('patients.dosage')}
            value={dosage}
            onValue={setDosage}
            maxLength={1000}
            autoComplete="off"
          />
        </div>
      ) : (
        <div className="field">
          <label className="field__label" htmlFor={textId}>
            {t(kind === 'note' ? 'patients.noteText' : 'patients.diagnosisText')}
          </label>
          <textarea
            id={textId}
            className="field__input"
            value={text}
            maxLength={kind === 'note' ? 100_000 : 10_000}
            onChange={(event) => {
              setText(event.target.value);
            }}
          />
        </div>
      )}
      {problem !== undefined && <p className="field__problem">{problem}</p>}
      <ErrorAlert error={add.error} />
      <div className="actions">
        <Button type="submit" busy={add.busy}>
          {t('patients.addEntry')}
        </Button>
      </div>
    </form>
  );
}
