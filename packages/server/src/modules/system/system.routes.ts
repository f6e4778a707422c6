import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, Health, Readiness, ServerInfo } from '@tresor/sdk/contract';
import type { SystemService } from './system.service.js';

export function systemRoutes(service: SystemService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: { tags: ['system'], summary: 'Liveness: the process answers', response: { 200: Health } },
        config: { rateLimit: false },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['system'],
          summary: 'Readiness: database reachable and migrations current',
          response: { 200: Readiness, 503: Readiness },
        },
        config: { rateLimit: false },
      },
      async (_request, reply) => {
        const readiness = await service.readiness();
        return reply.status(readiness.status === 'ready' ? 200 : 503).send(readiness);
      },
    );

    app.get(
      '/api/v1/info',
      {
        schema: {
          tags: ['system'],
          summary: 'Name, version and storage of this server',
          response: { 200: ServerInfo, 503: ErrorBody },
        },
      },
      async () => service.info(),
    );
  };
}
