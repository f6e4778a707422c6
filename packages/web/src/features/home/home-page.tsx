import { useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';
import { ServerStatus } from '../system/server-status';

/** The start page: what Tresor is, the ways in, and how the server is doing. */
export function HomePage() {
  const t = useT();
  return (
    <>
      <section className="intro" aria-labelledby="intro-title">
        <h1 id="intro-title" className="intro__title">
          {t('app.tagline')}
        </h1>
        <p className="intro__text">{t('app.description')}</p>
        <p className="actions">
          <Link className="button button--primary" to="/login">
            {t('home.signIn')}
          </Link>
          <Link className="button button--secondary" to="/create-practice">
            {t('home.createPractice')}
          </Link>
        </p>
      </section>
      <ServerStatus />
    </>
  );
}
