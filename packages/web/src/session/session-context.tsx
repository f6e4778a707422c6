import type { AccountSession } from '@tresor/sdk';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';
import type { MessageKey } from '../i18n/messages.de';

/** Where the app stands: nobody signed in, a signed-in user with keys, or locked (keys dropped). */
export type SessionState =
  | { readonly kind: 'signed-out'; readonly notice?: MessageKey }
  | {
      readonly kind: 'signed-in';
      readonly session: AccountSession;
      /** Counts key changes in this session (hand-over arrived, granter trusted); screens reload. */
      readonly keysRevision: number;
      /**
       * The server ended the session while a form held unsaved input: the screens stay, with that
       * input, until the user chooses to sign in again (or the idle lock strikes).
       */
      readonly ended: boolean;
    }
  | { readonly kind: 'locked'; readonly username: string; readonly notice: MessageKey };

interface SessionValue {
  readonly state: SessionState;
  readonly signIn: (session: AccountSession) => void;
  /** Ends the session on the server (best effort) and drops the keys. */
  readonly signOut: (notice?: MessageKey) => void;
  /** Drops the keys from memory at once and ends the server session; unlocking is a new login. */
  readonly lock: (notice: MessageKey) => void;
  /** Tells the screens that the session's keys changed (refreshed, a granter trusted). */
  readonly keysChanged: () => void;
  /**
   * The server says the session is gone (expired, revoked). Signs out at once, unless a form on
   * screen holds unsaved input (see `holdInput`): then the screens stay, marked `ended`.
   */
  readonly sessionGone: () => void;
  /** Marks unsaved input on screen until the returned function is called. */
  readonly holdInput: () => () => void;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ kind: 'signed-out' });
  // The state as of the last change, for callbacks that must act on the session exactly once.
  const current = useRef<SessionState>(state);
  // How many forms on screen hold input that is not saved yet.
  const held = useRef(0);

  const change = useCallback((next: SessionState) => {
    current.current = next;
    setState(next);
  }, []);

  const signIn = useCallback(
    (session: AccountSession) => {
      change({ kind: 'signed-in', session, keysRevision: 0, ended: false });
    },
    [change],
  );

  const end = useCallback(
    (next: (session: AccountSession | undefined) => SessionState) => {
      const previous = current.current;
      const session = previous.kind === 'signed-in' ? previous.session : undefined;
      if (session !== undefined) {
        session.lock();
        session.logout().catch(() => undefined);
      }
      change(next(session));
    },
    [change],
  );

  const signOut = useCallback(
    (notice?: MessageKey) => {
      end(() => (notice === undefined ? { kind: 'signed-out' } : { kind: 'signed-out', notice }));
    },
    [end],
  );

  const lock = useCallback(
    (notice: MessageKey) => {
      end((session) =>
        session === undefined
          ? { kind: 'signed-out' }
          : { kind: 'locked', username: session.info.user.username, notice },
      );
    },
    [end],
  );

  const keysChanged = useCallback(() => {
    const previous = current.current;
    if (previous.kind === 'signed-in') {
      change({ ...previous, keysRevision: previous.keysRevision + 1 });
    }
  }, [change]);

  const sessionGone = useCallback(() => {
    const previous = current.current;
    if (previous.kind !== 'signed-in') return;
    if (held.current === 0) signOut('session.expiredNotice');
    else if (!previous.ended) change({ ...previous, ended: true });
  }, [change, signOut]);

  const holdInput = useCallback(() => {
    held.current += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held.current -= 1;
    };
  }, []);

  const value = useMemo(
    () => ({ state, signIn, signOut, lock, keysChanged, sessionGone, holdInput }),
    [state, signIn, signOut, lock, keysChanged, sessionGone, holdInput],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSessionState(): SessionValue {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error('useSessionState must be used inside <SessionProvider>.');
  return value;
}

/** The signed-in session; only for screens rendered behind the sign-in gate. */
export function useSession(): AccountSession {
  const { state } = useSessionState();
  if (state.kind !== 'signed-in') throw new Error('useSession needs a signed-in user.');
  return state.session;
}
