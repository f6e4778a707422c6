export const locales = ['de', 'en'] as const;
export type Locale = (typeof locales)[number];

export const defaultLocale: Locale = 'de';

/** Each language's name in itself, as shown on the language toggle. */
export const localeNames: Readonly<Record<Locale, string>> = { de: 'Deutsch', en: 'English' };

/** BCP 47 tags for `Intl` formatting. */
export const localeTags: Readonly<Record<Locale, string>> = { de: 'de-DE', en: 'en-GB' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
