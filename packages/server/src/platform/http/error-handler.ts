import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '@tresor/sdk/contract';
import { errorCatalog, errorStatus } from '@tresor/sdk/contract';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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

const UNSTORABLE_TEXT = 'a text contains a character that cannot be stored (such as U+0000)';
/**
 * SQLSTATEs of class 22 (data exception) that a value sent by the client causes when the schema
 * let it through: the database refused to store or convert it. They answer 400 `request.invalid`
 * with the reason (never the value); other class 22 states stay server errors.
 */
const INVALID_DATA_SQLSTATES: Readonly<Record<string, string>> = {
  '22021': UNSTORABLE_TEXT, // character_not_in_repertoire: NUL in text
  '22P05': UNSTORABLE_TEXT, // untranslatable_character: \u0000 in jsonb
  '22001': 'a value is too long', // string_data_right_truncation
  '22003': 'a number is out of range', // numeric_value_out_of_range
  '22007': 'a date or time is malformed', // invalid_datetime_format
  '22008': 'a date or time is out of range', // datetime_field_overflow
  '22025': 'a text contains an invalid escape sequence', // invalid_escape_sequence
  '22P02': 'a value does not have the expected form', // invalid_text_representation
};

/** Codes of a request stream the client broke off (connection reset or closed mid-body). */
/**
 * The server's disk or quota is full (a blob write, PGlite's files; PostgreSQL's own 53100 too):
 * a server-side problem the client cannot fix, but not an unexpected one. What was being stored
 * is not recorded (the blob store removes its temp file, the transaction rolls back).
 */
const STORAGE_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', '53100']);

const CLIENT_ABORT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** `record[key]` if `key` is the record's own (not `constructor` from its prototype). */
function lookup<T>(record: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Turns any thrown error into a stable code and a message that is safe to show. */
export function classifyError(error: FastifyError | Error): Classified {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.code === 'string' && CONCURRENCY_SQLSTATES.has(fastifyError.code)) {
    return { code: 'request.conflict', message: errorCatalog['request.conflict'].en };
  }
  if (typeof fastifyError.code === 'string' && STORAGE_FULL_CODES.has(fastifyError.code)) {
    return { code: 'server.storage_full', message: errorCatalog['server.storage_full'].en };
  }
  const dataProblem = lookup(INVALID_DATA_SQLSTATES, fastifyError.code);
  if (dataProblem !== undefined)
    return { code: 'request.invalid', message: `Invalid request: ${dataProblem}.` };
  if (fastifyError.validation) {
    return { code: 'request.invalid', message: `Invalid request: ${error.message}` };
  }
  const mapped = lookup(FASTIFY_CODES, fastifyError.code);
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

/**
 * True when the client went away before its request was read in full (a reset or closed upload):
 * the request stream failed with a connection error and the client's side is gone. Not a server
 * error; a connection error of the server's own (say to PostgreSQL) does not pass this test.
 */
export function isClientAbort(error: Error, request: FastifyRequest): boolean {
  const code = (error as Partial<FastifyError>).code;
  if (typeof code !== 'string' || !CLIENT_ABORT_CODES.has(code)) return false;
  const raw = request.raw;
  const socket = raw.socket as Socket | null; // detached once the response is done
  return !raw.complete && (raw.destroyed || socket?.destroyed === true);
}

/**
 * The error handler: the error's code and status, `{error: {code, message, requestId}}`. The log
 * gets the error itself (type, message, code, stack; see the logger's `err` serializer) only for
 * 5xx and lost races; a rejected request is logged with its code.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isClientAbort(error, request)) {
    request.log.info({ reason: error.code }, 'client aborted the request');
    const code: ErrorCode = 'request.invalid';
    return reply.status(errorStatus(code)).send({
      error: {
        code,
        message: 'The client closed the connection before the request was complete.',
        requestId: request.id,
      },
    });
  }
  const { code, message } = classifyError(error);
  const status = errorStatus(code);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  // With the database's error: a foreign-key failure from a missing check would show up here.
  else if (code === 'request.conflict') request.log.warn({ err: error, code }, 'request lost a race');
  else if (lookup(INVALID_DATA_SQLSTATES, error.code) !== undefined)
    request.log.info({ code, sqlState: error.code }, 'request rejected by the database');
  else request.log.info({ code }, 'request rejected');
  return reply.status(status).send({ error: { code, message, requestId: request.id } });
}

/** A page request while the web app is not built (`TRESOR_WEB_DIR` missing or without `index.html`). */
export function sendWebAppMissing(request: FastifyRequest, reply: FastifyReply) {
  const code: ErrorCode = 'request.not_found';
  return reply.status(errorStatus(code)).send({
    error: {
      code,
      message: 'The web app is not built on this server; run "npm run build" (the API is available).',
      requestId: request.id,
    },
  });
}

const FRAMEWORK_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'Invalid request: the URL is not correctly percent-encoded.',
  FST_ERR_MAX_PARAM_LENGTH: 'Invalid request: a path segment is too long.',
};

/**
 * Fastify's `frameworkErrors`: errors its router meets before any hook runs (a malformed URL, an
 * overlong path parameter). Answered like every other error, with the request id and the
 * security headers (which hooks would otherwise set), and never echoing the URL.
 */
export function createFrameworkErrorHandler(securityHeaders: Readonly<Record<string, string>>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const known = lookup(FRAMEWORK_MESSAGES, error.code);
    const code: ErrorCode = known === undefined ? 'server.internal' : 'request.invalid';
    if (known === undefined) request.log.error({ err: error }, 'request failed in the router');
    else request.log.info({ code, reason: error.code }, 'request rejected');
    void reply
      .headers({ ...securityHeaders, 'x-request-id': request.id })
      .status(errorStatus(code))
      .send({ error: { code, message: known ?? errorCatalog[code].en, requestId: request.id } });
  };
}

/** What Node's HTTP parser reports before there is a request: the answer to each. */
function describeClientError(reason: string | undefined): Classified {
  if (reason === 'HPE_HEADER_OVERFLOW') {
    return { code: 'request.too_large', message: 'The request headers are too large.' };
  }
  if (reason === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { code: 'request.invalid', message: 'Invalid request: it did not arrive completely in time.' };
  }
  return { code: 'request.invalid', message: 'Invalid request: it is not well-formed HTTP.' };
}

/**
 * Fastify's `clientErrorHandler`: malformed HTTP (bad method, header or framing, headers too
 * large, request timeout) that never becomes a request. Answered on the raw socket with the
 * contract's error body, a fresh request id and the security headers; a reset connection
 * gets nothing. Node's parser error carries the raw bytes (`rawPacket`); they are never logged.
 */
export function createClientErrorHandler(
  logger: FastifyBaseLogger,
  securityHeaders: Readonly<Record<string, string>>,
) {
  return (error: Error & { code?: string }, socket: Socket) => {
    // The client went away (reset, or closed mid-request): nobody to answer.
    if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || socket.destroyed) {
      logger.debug({ reason: error.code }, 'client connection closed mid-request');
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const { code, message } = describeClientError(error.code);
    logger.info({ requestId, code, reason: error.code }, 'malformed HTTP request refused');
    // As Node does: answer unless a response on this connection has begun.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && inFlight?.headersSent !== true) {
      const status = errorStatus(code);
      const body = JSON.stringify({ error: { code, message, requestId } });
      const head = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
        'content-type: application/json; charset=utf-8',
        `content-length: ${Buffer.byteLength(body)}`,
        'connection: close',
        `x-request-id: ${requestId}`,
        ...Object.entries(securityHeaders).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroy(error);
  };
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
