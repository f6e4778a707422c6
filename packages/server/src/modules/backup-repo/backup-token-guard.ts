import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../platform/app-error.js';
import type { BackupCaller } from './backup-repo.types.js';

declare module 'fastify' {
  interface FastifyRequest {
    backupCaller?: BackupCaller;
  }
}

const BEARER = /^Bearer (tbk_[A-Za-z0-9_-]{43})$/;

/** Resolves a backup agent's or retention credential's bearer token (not a user session). */
export function backupTokenGuard(authenticate: (token: string) => Promise<BackupCaller | undefined>) {
  const guard: preHandlerAsyncHookHandler = async (request) => {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const caller = token === undefined ? undefined : await authenticate(token);
    if (caller === undefined) throw new AppError('auth.unauthenticated');
    request.backupCaller = caller;
  };
  return guard;
}

export function backupCallerOf(request: FastifyRequest): BackupCaller {
  if (request.backupCaller === undefined) throw new AppError('auth.unauthenticated');
  return request.backupCaller;
}
