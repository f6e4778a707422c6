import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../app-error.js';

export const OCTET_STREAM = 'application/octet-stream';

/**
 * Hands `application/octet-stream` bodies to the routes of this plugin as the request stream,
 * never buffered. Fastify's bodyLimit does not apply to such a stream: check `contentLength`.
 */
export function acceptRawBodies(app: FastifyInstance): void {
  app.addContentTypeParser(OCTET_STREAM, (_request, payload, done) => {
    done(null, payload);
  });
}

/**
 * The body of a request to a raw route: the request stream, or undefined when there is none. A
 * body another parser has read (JSON, text) is refused with 415 before it can reach a blob store.
 */
export function rawBodyOf(request: FastifyRequest): Readable | undefined {
  const { body } = request;
  if (body === undefined) return undefined;
  if (body instanceof Readable) return body;
  throw new AppError('request.unsupported_media_type');
}

/** A Content-Length header as a number; undefined when absent or malformed. */
export function contentLength(header: string | undefined): number | undefined {
  return header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

/** An absent body: zero bytes. */
export async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // nothing to yield
}
