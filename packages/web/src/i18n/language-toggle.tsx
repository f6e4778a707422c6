import { useLocale, useT } from './i18n';
import { localeNames, locales } from './locale';

/** Two buttons, "Deutsch" and "English"; the pressed one is the current language. */
export function LanguageToggle() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  return (
    <div className="language-toggle" role="group" aria-label={t('language.label')}>
      {locales.map((option) => (
        <button
          key={option}
          type="button"
          className="language-toggle__button"
          lang={option}
          aria-pressed={option === locale}
          onClick={() => {
            setLocale(option);
          }}
        >
          {localeNames[option]}
        </button>
      ))}
    </div>
  );
}
