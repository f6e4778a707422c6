import { useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';

/** After a recovery: what changed (all sessions ended, the old password void) and what comes next. */
export function RecoveredPanel({ username }: { readonly username: string }) {
  const t = useT();
  return (
    <section className="card" aria-labelledby="recovered-title">
      <h2 id="recovered-title" className="card__title">
        {t('recoverAccount.doneIntro')}
      </h2>
      <p>{t('recoverAccount.doneSessions')}</p>
      <p>{t('recoverAccount.doneNext')}</p>
      <p>{t('recoverAccount.doneCodeKept')}</p>
      <p className="actions">
        <Link className="button button--primary" to={`/login?user=${encodeURIComponent(username)}`}>
          {t('recoverAccount.signIn')}
        </Link>
      </p>
    </section>
  );
}
