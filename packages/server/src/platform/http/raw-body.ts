import type { FastifyInstance } from 'fastify';

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

/** A Content-Length header as a number; undefined when absent or malformed. */
export function contentLength(header: string | undefined): number | undefined {
  return header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

/** An absent body: zero bytes. */
export async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // nothing to yield
}
