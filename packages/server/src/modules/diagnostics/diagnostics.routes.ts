import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import {
  CreateProbeBody,
  ListProbesQuery,
  PracticeParams,
  ProbeList,
  ProbeParams,
  ProbeView,
} from './diagnostics.schemas.js';
import type { Probe, ProbeStore } from './diagnostics.store.js';

/**
 * Unauthenticated routes over the tenant probe table, enabled only by TRESOR_DIAGNOSTICS=true:
 * they let tests and benchmarks drive real writes and reads through the whole stack
 * (HTTP edge, tenant transaction, row-level security, storage).
 */
export function diagnosticsRoutes(store: ProbeStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['diagnostics'];
    app.post(
      '/api/v1/diagnostics/practices/:practiceId/probes',
      {
        schema: {
          tags,
          summary: 'Write one probe row for a practice',
          params: PracticeParams,
          body: CreateProbeBody,
          response: { 201: ProbeView, 400: ErrorBody },
        },
      },
      async (request, reply) => {
        const probe = await store.create(request.params.practiceId, request.body.body);
        return reply.status(201).send(toView(probe));
      },
    );

    app.get(
      '/api/v1/diagnostics/practices/:practiceId/probes/:probeId',
      {
        schema: {
          tags,
          summary: 'Read one probe row of a practice',
          params: ProbeParams,
          response: { 200: ProbeView, 404: ErrorBody },
        },
      },
      async (request) => {
        const { practiceId, probeId } = request.params;
        const probe = await store.find(practiceId, probeId);
        if (!probe) throw new AppError('diagnostics.not_found');
        return toView(probe);
      },
    );

    app.get(
      '/api/v1/diagnostics/practices/:practiceId/probes',
      {
        schema: {
          tags,
          summary: "List a practice's probe rows, oldest first",
          params: PracticeParams,
          querystring: ListProbesQuery,
          response: { 200: ProbeList },
        },
      },
      async (request) => {
        const probes = await store.list(request.params.practiceId, request.query.limit ?? 100);
        return { probes: probes.map(toView) };
      },
    );
  };
}

function toView(probe: Probe): ProbeView {
  return { ...probe, createdAt: probe.createdAt.toISOString() };
}
