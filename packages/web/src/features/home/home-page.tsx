import { useT } from '../../i18n/i18n';
import { ServerStatus } from '../system/server-status';

/** The start page: what Tresor is, and how the server is doing. */
export function HomePage() {
  const t = useT();
  return (
    <>
      <section className="intro" aria-labelledby="intro-title">
        <h1 id="intro-title" className="intro__title">
          {t('app.tagline')}
        </h1>
        <p className="intro__text">{t('app.description')}</p>
      </section>
      <ServerStatus />
    </>
  );
}
