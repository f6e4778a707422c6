import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { I18nProvider } from './i18n/i18n';
import { AppFailed } from './layout/app-failed';
import { registerServiceWorker } from './pwa/register-service-worker';
import { ErrorBoundary } from './ui/error-boundary';
import './styles.css';
import './app.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element.');

createRoot(container).render(
  <StrictMode>
    <I18nProvider>
      <ErrorBoundary fallback={<AppFailed />}>
        <App />
      </ErrorBoundary>
    </I18nProvider>
  </StrictMode>,
);

registerServiceWorker();
