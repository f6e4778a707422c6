import { useEffect } from 'react';

/** Ten minutes without keyboard, pointer or touch input lock the app. */
export const IDLE_LOCK_MS = 10 * 60 * 1000;

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

/** Calls `onIdle` after `timeoutMs` without user input (while `active`). */
export function useIdleLock(active: boolean, onIdle: () => void, timeoutMs: number = IDLE_LOCK_MS): void {
  useEffect(() => {
    if (!active) return;
    let timer = window.setTimeout(onIdle, timeoutMs);
    const reset = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(onIdle, timeoutMs);
    };
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, reset, { passive: true });
    return () => {
      window.clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, reset);
    };
  }, [active, onIdle, timeoutMs]);
}
