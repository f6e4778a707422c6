import { useRouter } from '../../routing/router';
import { HomePage } from '../home/home-page';
import { AcceptInvitePage } from '../invite/accept-invite-page';
import { LoginPage } from '../login/login-page';
import { CreatePracticePage } from '../practice/create-practice-page';
import { RecoverAccountPage } from '../recovery/recover-account-page';

/**
 * Screens without a session: start page, create practice, join by invite, recover with the recovery
 * code; everything else asks to sign in.
 */
export function SignedOutRoutes() {
  const { path } = useRouter();
  switch (path) {
    case '/':
      return <HomePage />;
    case '/create-practice':
      return <CreatePracticePage />;
    case '/invite':
      return <AcceptInvitePage />;
    case '/recover':
      return <RecoverAccountPage />;
    default:
      return <LoginPage />;
  }
}
