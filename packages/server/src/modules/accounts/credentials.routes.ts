import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, accounts as c } from '@tresor/sdk/contract';
import type { FastifyRequest } from 'fastify';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import type { CredentialsService } from './credentials.service.js';
import type { LoginService } from './login.service.js';
import type { SecuritySettingsService } from './security-settings.service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } as const;

function clientOf(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

export function credentialsRoutes(
  services: { credentials: CredentialsService; security: SecuritySettingsService; login: LoginService },
  guards: AuthGuards,
): FastifyPluginAsyncTypebox {
  const { credentials, security, login } = services;
  return async (app) => {
    const tags = ['accounts'];
    app.post(
      '/api/v1/auth/password/start',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Password change step 1: OPAQUE login start proving my current password',
          body: c.PasswordChangeStartBody,
          response: { 200: c.PasswordChangeStartReply, ...errors },
        },
      },
      async (request) =>
        login.startPasswordProof(authOf(request), request.body.startLoginRequest, clientOf(request)),
    );

    app.post(
      '/api/v1/auth/password',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary:
            'Password change step 2: OPAQUE finish with my current password, new OPAQUE record, user key re-wrapped; ends my other sessions',
          body: c.PasswordChangeBody,
          response: { 200: Type.Object({ revokedSessions: Type.Integer() }), ...errors },
        },
      },
      async (request) => credentials.changePassword(authOf(request), request.body, clientOf(request), login),
    );

    app.post(
      '/api/v1/auth/recovery/start',
      {
        schema: {
          tags,
          summary: 'Recovery step 1: challenge and the recovery-wrapped user key',
          body: c.RecoveryStartBody,
          response: { 200: c.RecoveryStartReply, ...errors },
        },
      },
      async (request) => credentials.startRecovery(request.body.username, request.ip),
    );

    app.post(
      '/api/v1/auth/recovery/finish',
      {
        schema: {
          tags,
          summary: 'Recovery step 2: proof of the recovery code, new password; ends all sessions',
          body: c.RecoveryFinishBody,
          response: { 200: Type.Object({ ok: Type.Literal(true) }), ...errors },
        },
      },
      async (request) => {
        await credentials.finishRecovery(request.body);
        return { ok: true as const };
      },
    );

    app.put(
      '/api/v1/practice/settings/two-factor',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Require two-factor login for the practice (turning it off needs confirmation)',
          body: c.TwoFactorSettingBody,
          response: { 200: Type.Object({ required: Type.Boolean() }), ...errors },
        },
      },
      async (request) => security.setTwoFactorRequired(authOf(request), request.body),
    );

    app.get(
      '/api/v1/security/alarms',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Security alarms of the practice (primary users)',
          response: { 200: Type.Object({ alarms: Type.Array(c.AlarmView) }), ...errors },
        },
      },
      async (request) => ({ alarms: await security.alarms(authOf(request)) }),
    );
  };
}
