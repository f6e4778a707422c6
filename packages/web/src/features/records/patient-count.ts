import { plural } from '../../i18n/plural';
import type { MessageKey } from '../../i18n/messages.de';

/** The message (key and parameters) for the patient list's count line. */
export interface CountLine {
  readonly key: MessageKey;
  readonly params: Readonly<Record<string, number>>;
}

/**
 * The count line above the patient list. Without a query the list shows up to `shown` of all
 * `total` patients and says so when it is cut; with one, `hits` is what the search returned when
 * asked for one more than `shown`, so "more than `shown`" can be told apart from exactly `shown`.
 */
export function patientCountLine(
  localeTag: string,
  { searching, total, hits, shown }: { searching: boolean; total: number; hits: number; shown: number },
): CountLine {
  if (!searching) {
    if (total > shown) return { key: 'patients.countShownOf', params: { shown, count: total } };
    return {
      key: plural(localeTag, total, { one: 'patients.countOne', other: 'patients.countAll' }),
      params: { count: total },
    };
  }
  if (hits > shown) return { key: 'patients.countHitsMore', params: { shown } };
  return {
    key: plural(localeTag, hits, { one: 'patients.countHitsOne', other: 'patients.countHits' }),
    params: { count: hits },
  };
}
