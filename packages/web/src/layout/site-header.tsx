import { SignedInNav } from '../features/shell/signed-in-nav';
import { LanguageToggle } from '../i18n/language-toggle';
import { Link } from '../routing/router';
import { useSessionState } from '../session/session-context';

export function SiteHeader() {
  const { state } = useSessionState();
  const signedIn = state.kind === 'signed-in' && state.session.keys.practiceKeys.size > 0;
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link className="brand" to={signedIn ? '/patients' : '/'}>
          <img className="brand__logo" src="/favicon.svg" alt="" width="32" height="32" />
          <span className="brand__name">Tresor</span>
        </Link>
        <LanguageToggle />
      </div>
      {signedIn && (
        <div className="site-header__inner site-header__nav">
          <SignedInNav />
        </div>
      )}
    </header>
  );
}
