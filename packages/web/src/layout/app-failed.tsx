import { useEffect, useRef } from 'react';
import { useT } from '../i18n/i18n';
import { Button } from '../ui/button';

/**
 * What the top-level error boundary shows when a screen failed to render: what happened, in the
 * user's language, and a way back (reloading starts the app afresh; the keys were in memory only).
 */
export function AppFailed() {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <main id="main" className="site-main" data-testid="app-failed">
      <div className="stack">
        <div className="page-heading">
          <h1 className="page-heading__title" tabIndex={-1} ref={heading}>
            {t('crash.title')}
          </h1>
          <p className="page-heading__intro" role="alert">
            {t('crash.intro')}
          </p>
        </div>
        <div className="actions">
          <Button
            onClick={() => {
              window.location.reload();
            }}
          >
            {t('crash.reload')}
          </Button>
          <Button
            variant="secondary"
            onClick={() => {
              window.location.assign('/');
            }}
          >
            {t('crash.home')}
          </Button>
        </div>
      </div>
    </main>
  );
}
