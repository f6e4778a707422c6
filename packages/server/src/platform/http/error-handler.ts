import type { ErrorCode } from '@tresor/sdk/contract';
import { errorCatalog, errorStatus } from '@tresor/sdk/contract';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../app-error.js';

interface Classified {
  readonly code: ErrorCode;
  readonly message: string;
}

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid',
};

/**
 * SQLSTATEs of a transaction that lost a race with a concurrent one and was rolled back whole, so
 * trying again is safe: deadlock, serialization failure, and a foreign key to a row deleted
 * meanwhile (writes check the rows they refer to first; only a concurrent delete gets past that).
 */
const CONCURRENCY_SQLSTATES: ReadonlySet<string> = new Set(['40P01', '40001', '23503']);

/** Turns any thrown error into a stable code and a message that is safe to show. */
export function classifyError(error: FastifyError | Error): Classified {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.code === 'string' && CONCURRENCY_SQLSTATES.has(fastifyError.code)) {
    return { code: 'request.conflict', message: errorCatalog['request.conflict'].en };
  }
  if (fastifyError.validation) {
    return { code: 'request.invalid', message: `Invalid request: ${error.message}` };
  }
  const mapped = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (mapped !== undefined) return { code: mapped, message: errorCatalog[mapped].en };
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return { code: 'request.invalid_json', message: errorCatalog['request.invalid_json'].en };
  }
  if (fastifyError.statusCode === 429) {
    return { code: 'request.rate_limited', message: errorCatalog['request.rate_limited'].en };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return { code: 'request.invalid', message: errorCatalog['request.invalid'].en };
  return { code: 'server.internal', message: errorCatalog['server.internal'].en };
}

export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { code, message } = classifyError(error);
  const status = errorStatus(code);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  // With the database's error: a foreign-key failure from a missing check would show up here.
  else if (code === 'request.conflict') request.log.warn({ err: error, code }, 'request lost a race');
  else request.log.info({ code }, 'request rejected');
  return reply.status(status).send({ error: { code, message, requestId: request.id } });
}

export function sendNotFound(request: FastifyRequest, reply: FastifyReply) {
  const code: ErrorCode = 'request.not_found';
  return reply.status(404).send({
    error: {
      code,
      message: `${errorCatalog[code].en} (${request.method} ${request.url.split('?')[0]})`,
      requestId: request.id,
    },
  });
}
