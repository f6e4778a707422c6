import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../app-error.js';

export type Role = 'primary' | 'secondary';

/** Who is calling: set by the auth guard from a valid session token, read by route handlers. */
export interface AuthContext {
  readonly practiceId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly sessionId: string;
  readonly role: Role;
}

/** Resolves a bearer token to its session; undefined for unknown, expired or revoked tokens. */
export interface SessionAuthenticator {
  authenticate(token: string): Promise<AuthContext | undefined>;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}

export interface AuthGuards {
  /** Any signed-in user with a complete session (password, second factor, approved device). */
  readonly signedIn: preHandlerAsyncHookHandler;
  /** Primary users only; secondary users get 403 auth.forbidden. */
  readonly primary: preHandlerAsyncHookHandler;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,128})$/;

export function createAuthGuards(authenticator: SessionAuthenticator): AuthGuards {
  const signedIn = async (request: FastifyRequest) => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    const auth = match?.[1] === undefined ? undefined : await authenticator.authenticate(match[1]);
    if (auth === undefined) throw new AppError('auth.unauthenticated');
    request.auth = auth;
  };
  const primary = async (request: FastifyRequest) => {
    await signedIn(request);
    if (request.auth?.role !== 'primary') throw new AppError('auth.forbidden');
  };
  return { signedIn, primary };
}

/** The caller of a route behind a guard; throws if a route forgot its guard. */
export function authOf(request: FastifyRequest): AuthContext {
  if (request.auth === undefined) throw new AppError('auth.unauthenticated');
  return request.auth;
}
