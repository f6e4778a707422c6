import { SignedInNav, SignedInUser } from '../features/shell/signed-in-nav';
import { LanguageToggle } from '../i18n/language-toggle';
import { Link } from '../routing/router';
import { useSessionState } from '../session/session-context';

export function SiteHeader() {
  const { state } = useSessionState();
  const signedIn = state.kind === 'signed-in';
  const hasKey = signedIn && state.session.keys.practiceKeys.size > 0;
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link className="brand" to={hasKey ? '/patients' : '/'}>
          <img className="brand__logo" src="/favicon.svg" alt="" width="32" height="32" />
          <span className="brand__name">Tresor</span>
        </Link>
        <LanguageToggle />
      </div>
      {hasKey && (
        <div className="site-header__inner site-header__nav">
          <SignedInNav />
        </div>
      )}
      {signedIn && !hasKey && (
        // Waiting for the practice key: nothing to navigate to yet, but lock and sign-out.
        <div className="site-header__inner site-header__nav">
          <div className="signed-in signed-in--user-only">
            <SignedInUser />
          </div>
        </div>
      )}
    </header>
  );
}
