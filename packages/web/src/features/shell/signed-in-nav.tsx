import { useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { Link, useRouter } from '../../routing/router';
import { useSession, useSessionState } from '../../session/session-context';
import { Button } from '../../ui/button';

interface NavItem {
  readonly to: string;
  readonly label: MessageKey;
  readonly primaryOnly?: boolean;
}

const items: readonly NavItem[] = [
  { to: '/patients', label: 'nav.patients' },
  { to: '/users', label: 'nav.users' },
  { to: '/devices', label: 'nav.devices' },
  { to: '/sessions', label: 'nav.sessions' },
  { to: '/audit', label: 'nav.audit' },
  { to: '/alarms', label: 'nav.alarms', primaryOnly: true },
  { to: '/erasures', label: 'nav.erasures', primaryOnly: true },
  { to: '/backup', label: 'nav.backup', primaryOnly: true },
  { to: '/settings', label: 'nav.settings' },
];

/** The signed-in user's navigation, who they are, and lock / sign-out. */
export function SignedInNav() {
  const t = useT();
  const { path } = useRouter();
  const session = useSession();
  const primary = session.info.user.role === 'primary';
  return (
    <div className="signed-in">
      <nav className="main-nav" aria-label={t('nav.label')}>
        <ul>
          {items
            .filter((item) => primary || item.primaryOnly !== true)
            .map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={path.startsWith(item.to) ? 'page' : undefined}>
                  {t(item.label)}
                </Link>
              </li>
            ))}
        </ul>
      </nav>
      <SignedInUser />
    </div>
  );
}

/** Who is signed in, with lock and sign-out; also shown while the practice key is still awaited. */
export function SignedInUser() {
  const t = useT();
  const session = useSession();
  const { lock, signOut } = useSessionState();
  const primary = session.info.user.role === 'primary';
  return (
    <div className="who">
      <span className="who__name">
        {session.info.user.username} · {t(primary ? 'role.primary' : 'role.secondary')} ·{' '}
        {session.info.practice.name}
      </span>
      <Button
        variant="secondary"
        onClick={() => {
          lock('session.lockedManually');
        }}
      >
        {t('nav.lock')}
      </Button>
      <Button
        variant="secondary"
        onClick={() => {
          signOut('session.signedOut');
        }}
      >
        {t('nav.signOut')}
      </Button>
    </div>
  );
}
