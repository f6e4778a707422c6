import type { DirectoryHit, DirectoryMatch, PatientDirectory } from '@tresor/sdk';
import { useCallback, useId, useMemo, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { plural } from '../../i18n/plural';
import { Link } from '../../routing/router';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { formatDate } from '../../ui/format';
import { PageHeading } from '../../ui/page-heading';
import { patientCountLine } from './patient-count';

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
  const { localeTag } = useLocale();
  const session = useSession();
  const searchId = useId();
  const [query, setQuery] = useState('');
  const searching = query.trim() !== '';
  const load = useCallback(() => session.records.directory(), [session]);
  const { state, reload } = useLoaded<PatientDirectory>(load);
  // One more than shown, to tell "more than SHOWN matches" from exactly SHOWN.
  const found = useMemo<readonly DirectoryHit[]>(() => {
    if (state.kind !== 'loaded') return [];
    return searching ? state.value.search(query, SHOWN + 1) : state.value.list(SHOWN);
  }, [state, query, searching]);
  const hits = found.slice(0, SHOWN);
  const count =
    state.kind === 'loaded'
      ? patientCountLine(localeTag, { searching, total: state.value.size, hits: found.length, shown: SHOWN })
      : undefined;
  const unreadable = state.kind === 'loaded' ? state.value.unreadable.length : 0;
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
      {count !== undefined && (
        <section aria-labelledby={`${searchId}-count`} className="stack">
          <p id={`${searchId}-count`} role="status" aria-live="polite">
            {t(count.key, count.params)}
          </p>
          {unreadable > 0 && (
            <Notice tone="warning">
              {t(
                plural(localeTag, unreadable, {
                  one: 'patients.unreadableOne',
                  other: 'patients.unreadable',
                }),
                {
                  count: unreadable,
                },
              )}
            </Notice>
          )}
          <ul id={`${searchId}-results`} className="patient-list" data-testid="patient-results">
            {hits.map((hit) => (
              <PatientHit key={hit.id} hit={hit} showMatch={searching} />
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
