import { useEffect } from 'react';
import { IdleClock } from './idle-clock';

/** Ten minutes without keyboard, pointer or touch input lock the app. */
export const IDLE_LOCK_MS = 10 * 60 * 1000;

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

/**
 * Calls `onIdle` after `timeoutMs` without user input (while `active`). The wall clock decides, not
 * the timer alone: after a sleep or in a throttled background tab the timer fires late, so input,
 * and the tab becoming visible again, first check whether the time already ran out.
 */
export function useIdleLock(active: boolean, onIdle: () => void, timeoutMs: number = IDLE_LOCK_MS): void {
  useEffect(() => {
    if (!active) return;
    const clock = new IdleClock(timeoutMs);
    let timer = 0;
    const arm = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, clock.remaining());
    };
    const check = () => {
      if (clock.expired()) onIdle();
      else arm();
    };
    const input = () => {
      if (clock.activity()) onIdle();
      else arm();
    };
    const visible = () => {
      if (document.visibilityState === 'visible') check();
    };
    arm();
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, input, { passive: true });
    document.addEventListener('visibilitychange', visible);
    window.addEventListener('focus', check);
    return () => {
      window.clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, input);
      document.removeEventListener('visibilitychange', visible);
      window.removeEventListener('focus', check);
    };
  }, [active, onIdle, timeoutMs]);
}
