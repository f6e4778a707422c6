import { HomePage } from './features/home/home-page';
import { useT } from './i18n/i18n';
import { SiteFooter } from './layout/site-footer';
import { SiteHeader } from './layout/site-header';

export function App() {
  const t = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <SiteHeader />
      <main id="main" className="site-main" tabIndex={-1}>
        <HomePage />
      </main>
      <SiteFooter />
    </>
  );
}
