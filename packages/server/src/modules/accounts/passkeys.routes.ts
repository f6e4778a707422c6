import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, passkeys as c } from '@tresor/sdk/contract';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import type { PasskeysService } from './passkeys.service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } as const;

export function passkeysRoutes(passkeys: PasskeysService, guards: AuthGuards): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['passkeys'];
    app.post(
      '/api/v1/passkeys/options',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Start registering a passkey for me: options for navigator.credentials.create()',
          response: { 200: c.PasskeyCreationOptions, ...errors },
        },
      },
      async (request) => passkeys.registrationOptions(authOf(request)),
    );

    app.post(
      '/api/v1/passkeys',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Finish registering a passkey: its answer to the options (public key only)',
          body: c.AddPasskeyBody,
          response: { 200: c.PasskeyView, ...errors },
        },
      },
      async (request) => passkeys.register(authOf(request), request.body),
    );

    app.get(
      '/api/v1/passkeys',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'My passkeys',
          response: { 200: Type.Object({ passkeys: Type.Array(c.PasskeyView) }), ...errors },
        },
      },
      async (request) => ({ passkeys: await passkeys.list(authOf(request)) }),
    );

    app.delete(
      '/api/v1/passkeys/:id',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Remove one of my passkeys',
          params: c.PasskeyIdParams,
          response: { 200: Type.Object({ ok: Type.Literal(true) }), ...errors },
        },
      },
      async (request) => {
        await passkeys.remove(authOf(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}
