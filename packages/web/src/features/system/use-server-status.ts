import type { Health, Readiness, ServerInfo } from '@tresor/sdk';
import { useCallback, useEffect, useState } from 'react';
import { tresorClient } from '../../api/tresor-client';

/** Either the server's info or why it could not be had (e.g. 503 while the database is down). */
export type InfoResult =
  { readonly ok: true; readonly value: ServerInfo } | { readonly ok: false; readonly error: unknown };

export interface ServerSnapshot {
  readonly health: Health;
  readonly readiness: Readiness;
  readonly info: InfoResult;
}

export type ServerStatus =
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly snapshot: ServerSnapshot; readonly checkedAt: Date }
  | { readonly kind: 'failed'; readonly error: unknown; readonly checkedAt: Date };

export interface ServerStatusHandle {
  readonly status: ServerStatus;
  /** True while a check is running, including the first one. */
  readonly busy: boolean;
  readonly recheck: () => void;
}

/** Asks the server for liveness, readiness and info; `recheck` asks again. */
export function useServerStatus(): ServerStatusHandle {
  const [status, setStatus] = useState<ServerStatus>({ kind: 'loading' });
  const [busy, setBusy] = useState(true);
  const [round, setRound] = useState(0);

  useEffect(() => {
    let current = true;
    loadSnapshot().then(
      (snapshot) => {
        if (!current) return;
        setStatus({ kind: 'loaded', snapshot, checkedAt: new Date() });
        setBusy(false);
      },
      (error: unknown) => {
        if (!current) return;
        setStatus({ kind: 'failed', error, checkedAt: new Date() });
        setBusy(false);
      },
    );
    return () => {
      current = false;
    };
  }, [round]);

  const recheck = useCallback(() => {
    setBusy(true);
    setRound((previous) => previous + 1);
  }, []);

  return { status, busy, recheck };
}

async function loadSnapshot(): Promise<ServerSnapshot> {
  const info = tresorClient.info().then(
    (value): InfoResult => ({ ok: true, value }),
    (error: unknown): InfoResult => ({ ok: false, error }),
  );
  const [health, readiness] = await Promise.all([tresorClient.health(), tresorClient.readiness()]);
  return { health, readiness, info: await info };
}
