import type { EntryInput } from '@tresor/sdk';
import { type SubmitEvent, useId, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { useUnsavedInput } from '../../session/use-unsaved-input';
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
  const icd10Id = useId();
  const problemId = useId();
  const [kind, setKind] = useState<Kind>('note');
  const [text, setText] = useState('');
  const [icd10, setIcd10] = useState('');
  const [name, setName] = useState('');
  const [dosage, setDosage] = useState('');
  // A validation problem and the field it is about (linked to it for screen readers).
  const [problem, setProblem] = useState<{ field: 'text' | 'icd10' | 'name'; message: string } | undefined>(
    undefined,
  );
  useUnsavedInput([text, icd10, name, dosage].some((value) => value.trim() !== ''));
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
          fail('text', t('form.required'));
          return undefined;
        }
        return { kind, text: text.trim() };
      case 'diagnosis': {
        const code = icd10.trim().toUpperCase();
        if (!/^[A-Z][0-9]{2}(\.[0-9A-Z-]{1,4})?[+*!†]?$/.test(code)) {
          fail('icd10', t('patients.icd10Invalid'));
          return undefined;
        }
        return { kind, icd10: code, text: text.trim() };
      }
      case 'medication':
        if (name.trim() === '') {
          fail('name', t('form.required'));
          return undefined;
        }
        return { kind, name: name.trim(), ...(dosage.trim() === '' ? {} : { dosage: dosage.trim() }) };
    }
  };
  const fail = (field: 'text' | 'icd10' | 'name', message: string) => {
    setProblem({ field, message });
  };
  /** Marks the field `problem` is about as invalid and links the message to it (and its hint). */
  const problemOf = (field: 'text' | 'icd10' | 'name', hintId?: string) =>
    problem?.field === field
      ? {
          'aria-invalid': true,
          'aria-describedby': hintId === undefined ? problemId : `${hintId} ${problemId}`,
        }
      : {};
  /** What was typed, for copying when the session ended before it was saved. */
  const copyText = () =>
    kind === 'medication'
      ? [name.trim(), dosage.trim()].filter(Boolean).join(' · ')
      : [kind === 'diagnosis' ? icd10.trim() : '', text].filter(Boolean).join('\n');
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label={t('patients.addEntry')}>
      <SelectField<Kind>
        label={t('patients.entryKind')}
        value={kind}
        onValue={(next) => {
          setKind(next);
          setProblem(undefined);
        }}
        options={[
          { value: 'note', label: t('patients.kindNote') },
          { value: 'diagnosis', label: t('patients.kindDiagnosis') },
          { value: 'medication', label: t('patients.kindMedication') },
        ]}
      />
      {kind === 'diagnosis' && (
        <TextField
          id={icd10Id}
          label={t('patients.icd10')}
          value={icd10}
          onValue={setIcd10}
          maxLength={10}
          autoComplete="off"
          hint={t('patients.icd10Hint')}
          {...problemOf('icd10', `${icd10Id}-hint`)}
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
            {...problemOf('name')}
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
            {...problemOf('text')}
            onChange={(event) => {
              setText(event.target.value);
            }}
          />
        </div>
      )}
      {problem !== undefined && (
        <p id={problemId} className="field__problem" role="alert">
          {problem.message}
        </p>
      )}
      <ErrorAlert error={add.error} copyText={copyText} />
      <div className="actions">
        <Button type="submit" busy={add.busy}>
          {t('patients.addEntry')}
        </Button>
      </div>
    </form>
  );
}
