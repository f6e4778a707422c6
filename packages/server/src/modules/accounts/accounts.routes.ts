import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, accounts as c } from '@tresor/sdk/contract';
import type { FastifyRequest } from 'fastify';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import type { CredentialsService } from './credentials.service.js';
import type { DevicesService } from './devices.service.js';
import type { LoginService } from './login.service.js';
import type { PracticesService } from './practices.service.js';
import type { SecuritySettingsService } from './security-settings.service.js';
import type { SessionsService } from './sessions.service.js';
import type { InvitesService } from './invites.service.js';
import type { MembersService } from './members.service.js';
import type { PracticeKeysService } from './practice-keys.service.js';
import type { PasskeysService } from './passkeys.service.js';

export interface AccountsServices {
  readonly practices: PracticesService;
  readonly login: LoginService;
  readonly sessions: SessionsService;
  readonly devices: DevicesService;
  readonly credentials: CredentialsService;
  readonly security: SecuritySettingsService;
  readonly invites: InvitesService;
  readonly members: MembersService;
  readonly practiceKeys: PracticeKeysService;
  readonly passkeys: PasskeysService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;
const Ok = Type.Object({ ok: Type.Literal(true) });

function clientOf(request: FastifyRequest) {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

export function accountsRoutes(services: AccountsServices, guards: AuthGuards): FastifyPluginAsyncTypebox {
  const { practices, login, sessions, devices } = services;
  return async (app) => {
    const tags = ['accounts'];
    app.post(
      '/api/v1/auth/registration/start',
      {
        schema: {
          tags,
          summary: 'OPAQUE registration, server step (stateless)',
          body: c.RegistrationStartBody,
          response: { 200: c.RegistrationStartReply, ...errors },
        },
      },
      async (request) => practices.registrationResponse(request.body),
    );

    app.post(
      '/api/v1/practices',
      {
        schema: {
          tags,
          summary: 'Create a practice with its first (primary) user and device',
          body: c.CreatePracticeBody,
          response: { 201: c.CreatePracticeReply, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await practices.create(request.body)),
    );

    app.post(
      '/api/v1/auth/login/start',
      {
        schema: {
          tags,
          summary: 'Login step 1: OPAQUE start',
          body: c.LoginStartBody,
          response: { 200: c.LoginStartReply, ...errors },
        },
      },
      async (request) => login.start(request.body, clientOf(request)),
    );

    app.post(
      '/api/v1/auth/login/finish',
      {
        schema: {
          tags,
          summary: 'Login step 2: OPAQUE finish, device identification, second-factor challenge',
          body: c.LoginFinishBody,
          response: { 200: c.LoginFinishReply, ...errors },
        },
      },
      async (request) => login.finish(request.body, clientOf(request)),
    );

    app.post(
      '/api/v1/auth/login/complete',
      {
        schema: {
          tags,
          summary: 'Login step 3: second factor and device proof; opens a session',
          body: c.LoginCompleteBody,
          response: { 200: c.SessionReply, ...errors },
        },
      },
      async (request) => login.complete(request.body, clientOf(request)),
    );

    app.post(
      '/api/v1/auth/logout',
      {
        preHandler: guards.signedIn,
        schema: { tags, summary: 'End this session', response: { 200: Ok, ...errors } },
      },
      async (request) => {
        await sessions.logout(authOf(request));
        return { ok: true as const };
      },
    );

    app.get(
      '/api/v1/me/keys',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'My wrapped keys and practice-key grants',
          response: { 200: c.KeyMaterial, ...errors },
        },
      },
      async (request) => sessions.keyMaterial(authOf(request)),
    );

    app.put(
      '/api/v1/me/trusted-granters',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Replace my trusted-granter list (sealed under my user key)',
          body: c.TrustedGrantersBody,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        await sessions.setTrustedGranters(authOf(request), request.body);
        return { ok: true as const };
      },
    );

    app.get(
      '/api/v1/sessions',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'My active sessions, or (primary users, scope=practice) all of the practice',
          querystring: c.SessionsQuery,
          response: { 200: Type.Object({ sessions: Type.Array(c.SessionView) }), ...errors },
        },
      },
      async (request) => ({ sessions: await sessions.list(authOf(request), request.query.scope ?? 'own') }),
    );

    app.delete(
      '/api/v1/sessions/:id',
      {
        preHandler: guards.signedIn,
        schema: { tags, summary: 'Revoke a session', params: c.IdParams, response: { 200: Ok, ...errors } },
      },
      async (request) => {
        await sessions.revoke(authOf(request), request.params.id);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/sessions/revoke-others',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Revoke all my other sessions',
          response: { 200: Type.Object({ revoked: Type.Integer() }), ...errors },
        },
      },
      async (request) => ({ revoked: await sessions.revokeOthers(authOf(request)) }),
    );

    app.get(
      '/api/v1/devices',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'My devices (primary users: all of the practice)',
          response: { 200: Type.Object({ devices: Type.Array(c.DeviceView) }), ...errors },
        },
      },
      async (request) => ({ devices: await devices.list(authOf(request)) }),
    );

    app.post(
      '/api/v1/devices/:id/approve',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Approve a pending device',
          params: c.IdParams,
          response: { 200: c.DeviceView, ...errors },
        },
      },
      async (request) => devices.approve(authOf(request), request.params.id),
    );

    app.patch(
      '/api/v1/devices/:id',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Rename a device',
          params: c.IdParams,
          body: c.RenameDeviceBody,
          response: { 200: c.DeviceView, ...errors },
        },
      },
      async (request) => devices.rename(authOf(request), request.params.id, request.body.name),
    );

    app.post(
      '/api/v1/devices/:id/revoke',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Revoke a device and end its sessions',
          params: c.IdParams,
          response: { 200: c.DeviceView, ...errors },
        },
      },
      async (request) => devices.revoke(authOf(request), request.params.id),
    );
  };
}
