import { useCallback, useEffect } from 'react';
import { useRouter } from '../../routing/router';
import { useSessionState } from '../../session/session-context';
import { useIdleLock } from '../../session/use-idle-lock';
import { UntrustedGrantsBanner } from '../trust/untrusted-grants-banner';
import { AwaitingHandOverPage } from './awaiting-hand-over-page';
import { SignedInRoutes } from './signed-in-routes';
import { SignedOutRoutes } from './signed-out-routes';

const SIGNED_OUT_ONLY = new Set(['/', '/login', '/create-practice', '/recover']);

/** Chooses the screens for the session state and locks the app after ten idle minutes. */
export function AppContent() {
  const { state, lock } = useSessionState();
  const { path, navigate } = useRouter();
  const signedIn = state.kind === 'signed-in';
  const onIdle = useCallback(() => {
    lock('session.lockedIdle');
  }, [lock]);
  useIdleLock(signedIn, onIdle);

  useEffect(() => {
    if (signedIn && SIGNED_OUT_ONLY.has(path)) navigate('/patients', { replace: true });
  }, [signedIn, path, navigate]);

  if (state.kind !== 'signed-in') return <SignedOutRoutes />;
  if (state.session.keys.practiceKeys.size === 0) return <AwaitingHandOverPage />;
  return (
    <>
      <UntrustedGrantsBanner />
      {/* Not keyed by the keys revision: a colleague trusted meanwhile must not wipe an open form;
          the screens' data loads again by itself (useLoaded). */}
      <SignedInRoutes />
    </>
  );
}
