import { isLocale, type Locale } from './locale';

const storageKey = 'tresor.locale';

/** The language chosen earlier, if storage is available and holds a known one. */
export function readStoredLocale(): Locale | undefined {
  try {
    const stored = window.localStorage.getItem(storageKey);
    return isLocale(stored) ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the language; silently skipped where storage is blocked (e.g. strict privacy settings). */
export function storeLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(storageKey, locale);
  } catch {
    // The choice then lasts for this visit only.
  }
}
