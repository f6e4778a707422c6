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
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ kind: 'signed-out' });
  // The state as of the last change, for callbacks that must act on the session exactly once.
  const current = useRef<SessionState>(state);

  const change = useCallback((next: SessionState) => {
    current.current = next;
    setState(next);
  }, []);

  const signIn = useCallback(
    (session: AccountSession) => {
      change({ kind: 'signed-in', session, keysRevision: 0 });
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

  const value = useMemo(
    () => ({ state, signIn, signOut, lock, keysChanged }),
    [state, signIn, signOut, lock, keysChanged],
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
