import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { defaultLocale, type Locale, localeTags } from './locale';
import { readStoredLocale, storeLocale } from './locale-storage';
import { type MessageKey, type Messages, messagesDe } from './messages.de';
import { messagesEn } from './messages.en';

const catalogues: Readonly<Record<Locale, Messages>> = { de: messagesDe, en: messagesEn };

export type MessageParams = Readonly<Record<string, string | number>>;

/** Looks up a message and fills its `{name}` placeholders. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

interface I18nValue {
  readonly locale: Locale;
  readonly localeTag: string;
  readonly setLocale: (locale: Locale) => void;
  readonly t: Translate;
}

const I18nContext = createContext<I18nValue | undefined>(undefined);

export function I18nProvider({ children }: { readonly children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => readStoredLocale() ?? defaultLocale);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    storeLocale(next);
    setLocaleState(next);
  }, []);

  const value = useMemo<I18nValue>(() => {
    const messages = catalogues[locale];
    const t: Translate = (key, params) => fill(messages[key], params);
    return { locale, localeTag: localeTags[locale], setLocale, t };
  }, [locale, setLocale]);

  return <I18nContext value={value}>{children}</I18nContext>;
}

/** The translate function for the current language. */
export function useT(): Translate {
  return useI18n().t;
}

/** The current language and a way to change it. */
export function useLocale(): Pick<I18nValue, 'locale' | 'localeTag' | 'setLocale'> {
  const { locale, localeTag, setLocale } = useI18n();
  return { locale, localeTag, setLocale };
}

function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (value === undefined) throw new Error('useT/useLocale must be used inside <I18nProvider>.');
  return value;
}

function fill(template: string, params: MessageParams | undefined): string {
  if (params === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : placeholder,
  );
}
