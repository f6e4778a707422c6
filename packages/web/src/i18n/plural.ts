/** The singular or plural form for `count` by the language's plural rules (`Intl.PluralRules`). */
export function plural<T>(
  localeTag: string,
  count: number,
  forms: { readonly one: T; readonly other: T },
): T {
  return new Intl.PluralRules(localeTag).select(count) === 'one' ? forms.one : forms.other;
}
