import type { ClinicalEntry } from '@tresor/sdk';
import { useCallback } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { EntryForm } from './entry-form';

/** Clinical entries of a patient, newest first, and the form to add one. */
export function EntriesSection({ patientId }: { readonly patientId: string }) {
  const t = useT();
  const session = useSession();
  const load = useCallback(() => session.records.listEntries(patientId), [session, patientId]);
  const { state, reload } = useLoaded(load);
  return (
    <section className="card stack" aria-labelledby="entries-title">
      <h2 id="entries-title" className="card__title">
        {t('patients.entries')}
      </h2>
      <EntryForm patientId={patientId} onAdded={reload} />
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loaded' && state.value.length === 0 && <p>{t('patients.noEntries')}</p>}
      {state.kind === 'loaded' && state.value.length > 0 && (
        <ol className="entry-list" data-testid="entries">
          {[...state.value].reverse().map((entry) => (
            <EntryItem key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
    </section>
  );
}

function EntryItem({ entry }: { readonly entry: ClinicalEntry }) {
  const t = useT();
  const { localeTag } = useLocale();
  const byline = t('patients.entryBy', {
    author: entry.author.username || entry.author.userId,
    time: formatDateTime(entry.createdAt, localeTag),
  });
  return (
    <li className="entry-list__item">
      <p className="entry-list__meta">
        <span className="tag">
          {t(
            entry.kind === 'note'
              ? 'patients.kindNote'
              : entry.kind === 'diagnosis'
                ? 'patients.kindDiagnosis'
                : 'patients.kindMedication',
          )}
        </span>{' '}
        {byline}
      </p>
      {entry.kind === 'note' && <p className="entry-list__text">{entry.text}</p>}
      {entry.kind === 'diagnosis' && (
        <p>
          <code>{entry.icd10}</code> {entry.text}
        </p>
      )}
      {entry.kind === 'medication' && (
        <p>
          <strong>{entry.name}</strong>
          {entry.dosage !== undefined && ` · ${entry.dosage}`}
        </p>
      )}
    </li>
  );
}
