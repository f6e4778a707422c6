import { AppContent } from './features/shell/app-content';
import { useT } from './i18n/i18n';
import { SiteFooter } from './layout/site-footer';
import { SiteHeader } from './layout/site-header';
import { RouterProvider } from './routing/router';
import { SessionProvider } from './session/session-context';

export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <AppLayout />
      </SessionProvider>
    </RouterProvider>
  );
}

function AppLayout() {
  const t = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <SiteHeader />
      <main id="main" className="site-main" tabIndex={-1}>
        <AppContent />
      </main>
      <SiteFooter />
    </>
  );
}
