import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';

export interface NavigateOptions {
  readonly replace?: boolean;
  /** Leaves without asking, even while a screen guards against leaving (see `useLeaveGuard`). */
  readonly force?: boolean;
}

interface RouterValue {
  /** The current path, without query or fragment. */
  readonly path: string;
  readonly navigate: (to: string, options?: NavigateOptions) => void;
  /** Asks `question` before any in-app navigation until the returned function is called. */
  readonly guard: (question: string) => () => void;
}

const RouterContext = createContext<RouterValue | undefined>(undefined);

/** A small history-API router: the server answers every page path with index.html. */
export function RouterProvider({ children }: { readonly children: ReactNode }) {
  const [path, setPath] = useState(() => window.location.pathname);
  // Questions of the screens that must not be left unasked (newest last), and where we are.
  const guards = useRef<{ readonly question: string }[]>([]);
  const shown = useRef(path);

  /** True when nothing guards the screen or the user agreed to leave it. */
  const mayLeave = useCallback(() => {
    const question = guards.current.at(-1)?.question;
    return question === undefined || window.confirm(question);
  }, []);

  useEffect(() => {
    const onPopState = () => {
      if (window.location.pathname !== shown.current && !mayLeave()) {
        // Back/forward already moved the address: put the guarded screen's address back.
        window.history.pushState(null, '', shown.current);
        return;
      }
      shown.current = window.location.pathname;
      setPath(window.location.pathname);
    };
    window.addEventListener('popstate', onPopState);
    return () => {
      window.removeEventListener('popstate', onPopState);
    };
  }, [mayLeave]);

  const navigate = useCallback(
    (to: string, options: NavigateOptions = {}) => {
      if (options.force !== true && !mayLeave()) return;
      if (options.replace === true) window.history.replaceState(null, '', to);
      else window.history.pushState(null, '', to);
      shown.current = new URL(to, window.location.href).pathname;
      setPath(shown.current);
      window.scrollTo(0, 0);
    },
    [mayLeave],
  );

  const guard = useCallback((question: string) => {
    const entry = { question };
    guards.current = [...guards.current, entry];
    return () => {
      guards.current = guards.current.filter((other) => other !== entry);
    };
  }, []);

  const value = useMemo(() => ({ path, navigate, guard }), [path, navigate, guard]);
  return <RouterContext value={value}>{children}</RouterContext>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (value === undefined) throw new Error('useRouter must be used inside <RouterProvider>.');
  return value;
}

/**
 * While `question` is set, leaving the screen asks first: in-app links and back/forward get a
 * confirmation, closing or reloading the tab the browser's own "leave site?" prompt.
 */
export function useLeaveGuard(question: string | undefined): void {
  const { guard } = useRouter();
  useEffect(() => {
    if (question === undefined) return;
    const release = guard(question);
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      release();
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [guard, question]);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { readonly to: string };

/** An ordinary link (opens in a new tab with modifier keys) that navigates in place otherwise. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
