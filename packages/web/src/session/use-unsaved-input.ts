import { useEffect } from 'react';
import { useT } from '../i18n/i18n';
import { useLeaveGuard } from '../routing/router';
import { useSessionState } from './session-context';

/**
 * Declares that the calling form holds input that is not saved yet. Should the server end the
 * session meanwhile (idle timeout, revoked), the app then keeps the screen and this input instead
 * of signing out at once, and asks before the user leaves it.
 */
export function useUnsavedInput(unsaved: boolean): void {
  const t = useT();
  const { state, holdInput } = useSessionState();
  useEffect(() => {
    if (!unsaved) return;
    return holdInput();
  }, [unsaved, holdInput]);
  const ended = state.kind === 'signed-in' && state.ended;
  useLeaveGuard(unsaved && ended ? t('session.leaveUnsaved') : undefined);
}
