import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ErrorBody, backup as c } from '@tresor/sdk/contract';
import type { ByteRange } from '../../platform/blob/blob-store.js';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import {
  OCTET_STREAM,
  acceptRawBodies,
  contentLength,
  emptyBody,
  rawBodyOf,
} from '../../platform/http/raw-body.js';
import type { BackupRepoService, RequestedRange } from './backup-repo.service.js';
import { backupCallerOf, backupTokenGuard } from './backup-token-guard.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  423: ErrorBody,
  507: ErrorBody,
} as const;
const Ok = Type.Object({ ok: Type.Literal(true) });
const Binary = Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'the stored bytes' });

/**
 * The cloud backup repository. Credentials are managed by primary users (session); objects are
 * stored and read with a backup token (`Authorization: Bearer tbk_…`). Object bodies are raw
 * `application/octet-stream`, streamed to the blob store, never buffered in full.
 */
export function backupRepoRoutes(service: BackupRepoService, guards: AuthGuards): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['backup'];
    const token = backupTokenGuard((value) => service.authenticate(value));
    acceptRawBodies(app);

    app.post(
      '/api/v1/backup/credentials',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Create a backup credential (agent: add and read; retention: also delete after the lock)',
          body: c.CreateCredentialBody,
          response: { 201: c.CreatedCredential, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await service.createCredential(authOf(request), request.body)),
    );

    app.get(
      '/api/v1/backup/credentials',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: "The practice's backup credentials (tokens are never shown again)",
          response: { 200: Type.Object({ credentials: Type.Array(c.CredentialView) }), ...errors },
        },
      },
      async (request) => ({ credentials: await service.credentials(authOf(request)) }),
    );

    app.delete(
      '/api/v1/backup/credentials/:id',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Revoke a backup credential at once',
          params: c.CredentialParams,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        await service.revokeCredential(authOf(request), request.params.id);
        return { ok: true as const };
      },
    );

    app.get(
      '/api/v1/backup/usage',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Objects, bytes, quota and lock period of the practice backup repository',
          response: { 200: c.UsageView, ...errors },
        },
      },
      async (request) => service.usage(authOf(request)),
    );

    app.get(
      '/api/v1/backup/objects',
      {
        preHandler: token,
        schema: {
          tags,
          summary: 'List stored objects (optionally of one kind), with sizes and hashes',
          querystring: Type.Object({ kind: Type.Optional(c.ObjectKind) }),
          response: { 200: c.ObjectList, ...errors },
        },
      },
      async (request) => ({ objects: await service.list(backupCallerOf(request), request.query.kind) }),
    );

    app.get(
      '/api/v1/backup/forgotten-snapshots',
      {
        preHandler: token,
        schema: {
          tags,
          summary: "Names of the snapshots the cloud's retention deleted (replicate never stores them again)",
          response: { 200: c.ForgottenSnapshots, ...errors },
        },
      },
      async (request) => ({ names: await service.forgottenSnapshots(backupCallerOf(request)) }),
    );

    app.put(
      '/api/v1/backup/objects/:kind/:name',
      {
        preHandler: token,
        schema: {
          tags,
          summary: 'Store an object once (raw body); the same bytes again are accepted, other bytes refused',
          params: c.ObjectParams,
          response: { 200: c.ObjectView, 415: ErrorBody, ...errors },
        },
      },
      async (request) => {
        const body = rawBodyOf(request);
        return service.put(
          backupCallerOf(request),
          request.params.kind,
          request.params.name,
          body ?? emptyBody(),
          body === undefined ? 0 : contentLength(request.headers['content-length']),
        );
      },
    );

    app.get(
      '/api/v1/backup/objects/:kind/:name',
      {
        preHandler: token,
        // HEAD has its own route below: Fastify's would run this one and read the whole blob.
        exposeHeadRoute: false,
        schema: {
          tags,
          summary: 'Read an object (raw body); one byte range with `Range: bytes=start-[end]` (206)',
          params: c.ObjectParams,
          response: { 200: Binary, 206: Binary, 416: ErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        const { object, content, range } = await service.get(
          backupCallerOf(request),
          request.params.kind,
          request.params.name,
          parseRange(request.headers.range),
        );
        return objectHeaders(reply, object, range).send(content);
      },
    );

    app.head(
      '/api/v1/backup/objects/:kind/:name',
      {
        preHandler: token,
        schema: {
          tags,
          summary:
            'The headers a GET of the object would answer with (size, hash, range), without reading it',
          params: c.ObjectParams,
          response: { 416: ErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        const { object, range } = await service.head(
          backupCallerOf(request),
          request.params.kind,
          request.params.name,
          parseRange(request.headers.range),
        );
        return objectHeaders(reply, object, range).send();
      },
    );

    app.delete(
      '/api/v1/backup/objects/:kind/:name',
      {
        preHandler: token,
        schema: {
          tags,
          summary:
            'Delete an object: retention credentials only, holding the live retention lock, after its lock period',
          params: c.ObjectParams,
          querystring: c.DeleteObjectQuery,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        await service.delete(
          backupCallerOf(request),
          request.params.kind,
          request.params.name,
          request.query.lock,
        );
        return { ok: true as const };
      },
    );

    app.post(
      '/api/v1/backup/retention-lock',
      {
        preHandler: token,
        schema: {
          tags,
          summary:
            'Take the retention lock (retention credentials only): nobody else stores objects until it ends',
          response: { 201: c.RetentionLockView, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await service.lockRetention(backupCallerOf(request))),
    );

    app.put(
      '/api/v1/backup/retention-lock/:id',
      {
        preHandler: token,
        schema: {
          tags,
          summary: 'Extend a live retention lock (an expired one is lost)',
          params: c.RetentionLockParams,
          response: { 200: c.RetentionLockView, ...errors },
        },
      },
      async (request) => service.extendRetentionLock(backupCallerOf(request), request.params.id),
    );

    app.delete(
      '/api/v1/backup/retention-lock/:id',
      {
        preHandler: token,
        schema: {
          tags,
          summary: 'End a retention lock',
          params: c.RetentionLockParams,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        await service.unlockRetention(backupCallerOf(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}

/** The headers of an object's bytes (all of them, or `range` with 206), for GET and HEAD alike. */
function objectHeaders(
  reply: FastifyReply,
  object: c.ObjectView,
  range: ByteRange | undefined,
): FastifyReply {
  reply.header('content-type', OCTET_STREAM).header('accept-ranges', 'bytes');
  if (range === undefined) {
    return reply.header('content-length', String(object.size)).header('x-content-sha256', object.sha256);
  }
  return reply
    .status(206)
    .header('content-length', String(range.end - range.start + 1))
    .header('content-range', `bytes ${range.start}-${range.end}/${object.size}`);
}

/**
 * One range `bytes=start-[end]` of a `Range` header. Anything else (several ranges, suffix
 * ranges, other units, nonsense) is ignored, as HTTP allows: the whole object is sent.
 */
function parseRange(header: string | undefined): RequestedRange | undefined {
  const match = header === undefined ? null : /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim());
  if (match === null) return undefined;
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]);
  if (end !== undefined && end < start) return undefined;
  return { start, end };
}
