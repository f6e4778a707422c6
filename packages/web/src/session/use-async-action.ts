import { useCallback, useState } from 'react';
import { isSessionGone } from '../api/describe-error';
import { useSessionState } from './session-context';

export interface AsyncAction<A extends unknown[]> {
  readonly run: (...args: A) => Promise<boolean>;
  readonly busy: boolean;
  readonly error: unknown;
  readonly clearError: () => void;
}

/**
 * Runs a user-triggered call: tracks busy and the last error (for display), and sends the user back
 * to sign-in when the session turns out to be gone. Resolves true on success.
 */
export function useAsyncAction<A extends unknown[]>(
  action: (...args: A) => Promise<unknown>,
): AsyncAction<A> {
  const { sessionGone } = useSessionState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(undefined);
      try {
        await action(...args);
        return true;
      } catch (caught) {
        if (isSessionGone(caught)) sessionGone();
        setError(caught);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [action, sessionGone],
  );

  const clearError = useCallback(() => {
    setError(undefined);
  }, []);
  return { run, busy, error, clearError };
}
