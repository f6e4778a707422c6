/**
 * Normalisation of German names for matching: case-folded, umlauts and ß spelled out
 * (`Müller` → `mueller`, `Weiß` → `weiss`), other diacritics removed (`Élodie` → `elodie`),
 * everything that is not a letter dropped. `Müller` and `Mueller` normalise to the same string.
 * Pure string handling, no cryptography.
 */

const SPELLED_OUT: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss', ẞ: 'ss' };
const COMBINING_MARKS = /\p{M}+/gu;
const NOT_A_LETTER = /[^a-z]+/g;
const TOKEN_SEPARATORS = /[\s\-‐‑–—'’.,/]+/u;

/** One name (or one word of it) in the normalised form the blind index and the search use. */
export function normalizeGermanName(name: string): string {
  const lower = name.normalize('NFC').toLowerCase();
  let spelled = '';
  for (const ch of lower) spelled += SPELLED_OUT[ch] ?? ch;
  return spelled.normalize('NFD').replace(COMBINING_MARKS, '').replace(NOT_A_LETTER, '');
}

/** The words of a name (split at spaces, hyphens, apostrophes, dots), each normalised; empty ones dropped. */
export function nameTokens(name: string): string[] {
  return name
    .split(TOKEN_SEPARATORS)
    .map(normalizeGermanName)
    .filter((token) => token.length > 0);
}
