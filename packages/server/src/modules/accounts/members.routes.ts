import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, accounts as c } from '@tresor/sdk/contract';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import type { InvitesService } from './invites.service.js';
import type { MembersService } from './members.service.js';
import type { PracticeKeysService } from './practice-keys.service.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  410: ErrorBody,
} as const;
const Ok = Type.Object({ ok: Type.Literal(true) });

/**
 * Invites, the practice-key hand-over, members, roles, removal and key rotation. Everything that
 * changes who belongs to the practice or who holds its key is for primary users only.
 */
export function membersRoutes(
  services: { invites: InvitesService; members: MembersService; practiceKeys: PracticeKeysService },
  guards: AuthGuards,
): FastifyPluginAsyncTypebox {
  const { invites, members, practiceKeys } = services;
  return async (app) => {
    const tags = ['accounts'];
    app.post(
      '/api/v1/invites',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Invite a user: a one-time token (valid 1..168 hours, default 72)',
          body: c.CreateInviteBody,
          response: { 201: c.CreateInviteReply, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await invites.create(authOf(request), request.body)),
    );

    app.get(
      '/api/v1/invites',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: "The practice's invites; accepted ones with the invitee's public keys",
          response: { 200: Type.Object({ invites: Type.Array(c.InviteView) }), ...errors },
        },
      },
      async (request) => ({ invites: await invites.list(authOf(request)) }),
    );

    app.delete(
      '/api/v1/invites/:id',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Revoke a pending invite',
          params: c.IdParams,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        await invites.revoke(authOf(request), request.params.id);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/invites/accept',
      {
        schema: {
          tags,
          summary:
            'Accept an invite: the invitee registers (OPAQUE record, wrapped keys) and their first device',
          body: c.AcceptInviteBody,
          response: { 201: c.AcceptInviteReply, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await invites.accept(request.body)),
    );

    app.get(
      '/api/v1/practice/members',
      {
        preHandler: guards.signedIn,
        schema: {
          tags,
          summary: 'Members with role, status, public keys and the key versions they hold',
          response: { 200: c.MembersReply, ...errors },
        },
      },
      async (request) => members.list(authOf(request)),
    );

    app.post(
      '/api/v1/practice/grants',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Hand a practice-key version to a member (sealed to them, signed by the caller)',
          body: c.GrantPracticeKeyBody,
          response: { 201: c.GrantPracticeKeyReply, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await practiceKeys.grant(authOf(request), request.body.grant)),
    );

    app.post(
      '/api/v1/practice/key-rotations',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'New practice-key version, granted to every member holding the current one',
          body: c.RotatePracticeKeyBody,
          response: { 201: c.RotatePracticeKeyReply, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await practiceKeys.rotate(authOf(request), request.body)),
    );

    app.patch(
      '/api/v1/users/:id',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: "Change a user's role (the practice keeps at least one primary user)",
          params: c.IdParams,
          body: c.ChangeRoleBody,
          response: { 200: c.MemberView, ...errors },
        },
      },
      async (request) => members.changeRole(authOf(request), request.params.id, request.body.role),
    );

    app.delete(
      '/api/v1/users/:id',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Remove a user: sessions and devices revoked, login name freed (then rotate the key)',
          params: c.IdParams,
          response: { 200: c.RemoveUserReply, ...errors },
        },
      },
      async (request) => members.remove(authOf(request), request.params.id),
    );
  };
}
