import type { DirectoryHit, DirectoryMatch, PatientDirectory } from '@tresor/sdk';
import { useCallback, useId, useMemo, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { Link } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { formatDate } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';

const matchLabels: Readonly<Record<DirectoryMatch, MessageKey>> = {
  prefix: 'patients.matchPrefix',
  substring: 'patients.matchSubstring',
  phonetic: 'patients.matchPhonetic',
  birthDate: 'patients.matchBirthDate',
  kvnr: 'patients.matchKvnr',
};
const SHOWN = 50;

/**
 * The patient list with instant search: the practice's encrypted directory is downloaded and
 * opened on this device, and every keystroke searches it locally (names by prefix, substring and
 * Kölner Phonetik, date of birth, KVNR); the server never sees the query.
 */
export function PatientsPage() {
  const t = useT();
  const session = useSession();
  const searchId = useId();
  const [query, setQuery] = useState('');
  const load = useCallback(() => session.records.directory(), [session]);
  const { state, reload } = useLoaded<PatientDirectory>(load);
  const hits = useMemo<readonly DirectoryHit[]>(() => {
    if (state.kind !== 'loaded') return [];
    return query.trim() === '' ? state.value.list(SHOWN) : state.value.search(query, SHOWN);
  }, [state, query]);
  return (
    <>
      <PageHeading intro={t('patients.intro')}>{t('patients.title')}</PageHeading>
      <div className="toolbar">
        <div className="field search">
          <label className="field__label" htmlFor={searchId}>
            {t('patients.search')}
          </label>
          <input
            id={searchId}
            className="field__input"
            type="search"
            value={query}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${searchId}-hint`}
            aria-controls={`${searchId}-results`}
            onChange={(event) => {
              setQuery(event.target.value);
            }}
          />
          <p id={`${searchId}-hint`} className="field__hint">
            {t('patients.searchHint')}
          </p>
        </div>
        <div className="actions">
          <button type="button" className="button button--secondary" onClick={reload}>
            {t('common.refresh')}
          </button>
          <Link className="button button--primary" to="/patients/new">
            {t('patients.new')}
          </Link>
        </div>
      </div>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('patients.loadingDirectory')}</p>}
      {state.kind === 'loaded' && (
        <section aria-labelledby={`${searchId}-count`} className="stack">
          <p id={`${searchId}-count`} role="status" aria-live="polite">
            {query.trim() === ''
              ? t('patients.countAll', { count: state.value.size })
              : t('patients.countHits', { count: hits.length })}
          </p>
          {state.value.unreadable.length > 0 && (
            <Notice tone="warning">
              {t('patients.unreadable', { count: state.value.unreadable.length })}
            </Notice>
          )}
          <ul id={`${searchId}-results`} className="patient-list" data-testid="patient-results">
            {hits.map((hit) => (
              <PatientHit key={hit.id} hit={hit} showMatch={query.trim() !== ''} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function PatientHit({ hit, showMatch }: { readonly hit: DirectoryHit; readonly showMatch: boolean }) {
  const t = useT();
  const { localeTag } = useLocale();
  return (
    <li className="patient-list__item" data-testid="patient-hit">
      <Link to={`/patients/${hit.id}`} className="patient-list__link">
        <span className="patient-list__name">
          {hit.familyName}, {hit.givenName}
        </span>
        <span className="patient-list__meta">
          {formatDate(hit.birthDate, localeTag)}
          {hit.kvnr !== undefined && ` · ${hit.kvnr}`}
        </span>
        {showMatch && <span className="tag">{t(matchLabels[hit.match])}</span>}
      </Link>
    </li>
  );
}
