import { LanguageToggle } from '../i18n/language-toggle';

export function SiteHeader() {
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <a className="brand" href="/">
          <img className="brand__logo" src="/favicon.svg" alt="" width="32" height="32" />
          <span className="brand__name">Tresor</span>
        </a>
        <LanguageToggle />
      </div>
    </header>
  );
}
