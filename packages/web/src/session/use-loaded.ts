import { useCallback, useEffect, useState } from 'react';
import { isSessionGone } from '../api/describe-error';
import { useSessionState } from './session-context';

export type Loaded<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: unknown };

/** Loads data for a screen; `reload` fetches it again (e.g. after a change). */
export function useLoaded<T>(load: () => Promise<T>): { state: Loaded<T>; reload: () => void } {
  const { signOut } = useSessionState();
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
        if (isSessionGone(error)) signOut('session.expiredNotice');
        setState({ kind: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
  }, [load, round, signOut]);

  const reload = useCallback(() => {
    setRound((value) => value + 1);
  }, []);
  return { state, reload };
}
