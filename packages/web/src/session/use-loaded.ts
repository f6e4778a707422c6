import { useCallback, useEffect, useState } from 'react';
import { isSessionGone } from '../api/describe-error';
import { useSessionState } from './session-context';

export type Loaded<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: unknown };

/**
 * Loads data for a screen; `reload` fetches it again (e.g. after a change). It also loads again
 * when the session's keys change (a hand-over arrived, a colleague was trusted), so screens see
 * newly opened data without being rebuilt (which would throw away what a form on them holds).
 */
export function useLoaded<T>(load: () => Promise<T>): { state: Loaded<T>; reload: () => void } {
  const { state: session, sessionGone } = useSessionState();
  const keysRevision = session.kind === 'signed-in' ? session.keysRevision : 0;
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  const [round, setRound] = useState(0);

  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (current) setState({ kind: 'loaded', value });
      },
      (error: unknown) => {
        if (!current) return;
        if (isSessionGone(error)) sessionGone();
        setState({ kind: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
  }, [load, round, keysRevision, sessionGone]);

  const reload = useCallback(() => {
    setRound((value) => value + 1);
  }, []);
  return { state, reload };
}
