import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { audit, ErrorBody } from '@tresor/sdk/contract';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import { CheckpointsQuery, ConsistencyQuery, EntriesQuery } from './audit.schemas.js';
import type { AuditService } from './audit.service.js';

const errors = { 400: ErrorBody, 401: ErrorBody } as const;

/** The caller's own practice's audit log, for its clients to read and verify. */
export function auditRoutes(service: AuditService, guards: AuthGuards): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['audit'];
    const preHandler = guards.signedIn;

    app.get(
      '/api/v1/audit/entries',
      {
        preHandler,
        schema: {
          tags,
          summary: "Entries of the caller's practice's audit log, ascending by seq",
          querystring: EntriesQuery,
          response: { 200: audit.AuditEntryPage, ...errors },
        },
      },
      async (request) =>
        service.entries(authOf(request).practiceId, request.query.after ?? 0, request.query.limit ?? 100),
    );

    app.get(
      '/api/v1/audit/checkpoints',
      {
        preHandler,
        schema: {
          tags,
          summary: 'Signed checkpoints of the audit log, ascending by tree size',
          querystring: CheckpointsQuery,
          response: { 200: audit.AuditCheckpointPage, ...errors },
        },
      },
      async (request) => ({
        checkpoints: await service.checkpoints(
          authOf(request).practiceId,
          request.query.after ?? 0,
          request.query.limit ?? 100,
        ),
      }),
    );

    app.get(
      '/api/v1/audit/checkpoints/latest',
      {
        preHandler,
        schema: {
          tags,
          summary: 'The newest signed checkpoint of the audit log',
          response: { 200: audit.AuditCheckpoint, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => service.latestCheckpoint(authOf(request).practiceId),
    );

    app.get(
      '/api/v1/audit/consistency',
      {
        preHandler,
        schema: {
          tags,
          summary: 'RFC 6962 consistency proof between two tree sizes of the audit log',
          querystring: ConsistencyQuery,
          response: { 200: audit.AuditConsistencyProof, ...errors },
        },
      },
      async (request) =>
        service.consistencyProof(authOf(request).practiceId, request.query.from, request.query.to),
    );

    app.get(
      '/api/v1/audit/signing-key',
      {
        preHandler,
        schema: {
          tags,
          summary: 'The Ed25519 key that signs audit checkpoints (clients pin it)',
          response: { 200: audit.AuditSigningKey, 401: ErrorBody },
        },
      },
      async () => service.signingKey(),
    );
  };
}
