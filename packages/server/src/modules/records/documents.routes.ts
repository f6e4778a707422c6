import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, records as c } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import {
  OCTET_STREAM,
  acceptRawBodies,
  contentLength,
  emptyBody,
  rawBodyOf,
} from '../../platform/http/raw-body.js';
import type { DocumentsService } from './documents.service.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
} as const;

/** A streamed binary answer (documented as binary; Fastify does not serialise streams). */
const SealedChunk = Type.Unsafe<Readable>({
  type: 'string',
  format: 'binary',
  description: 'nonce (12 bytes) || AES-256-GCM ciphertext || tag (16 bytes)',
});

/**
 * Documents: resumable chunked upload and chunk-wise download. Chunk bodies are raw
 * `application/octet-stream`; they are handed to the service as the request stream (a
 * content-type parser of this plugin only), so no chunk is ever buffered in full.
 */
export function documentsRoutes(documents: DocumentsService, guards: AuthGuards): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['records'];
    const signedIn = guards.signedIn;
    acceptRawBodies(app);

    app.post(
      '/api/v1/patients/:id/documents',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Start a document upload: encrypted name and type, plaintext size (at most 500 MiB)',
          params: c.IdParams,
          body: c.CreateDocumentBody,
          response: { 201: c.DocumentView, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await documents.create(authOf(request), request.params.id, request.body)),
    );

    app.get(
      '/api/v1/patients/:id/documents',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Documents of a patient (complete ones and uploads in progress)',
          params: c.IdParams,
          response: { 200: c.DocumentList, ...errors },
        },
      },
      async (request) => ({ documents: await documents.list(authOf(request), request.params.id) }),
    );

    app.get(
      '/api/v1/documents/:id',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'A document with its upload state (which chunks are stored: resume from there)',
          params: c.IdParams,
          response: { 200: c.DocumentView, ...errors },
        },
      },
      async (request) => documents.get(authOf(request), request.params.id),
    );

    app.put(
      '/api/v1/documents/:id/chunks/:index',
      {
        preHandler: signedIn,
        bodyLimit: c.MAX_SEALED_CHUNK_BYTES,
        schema: {
          tags,
          summary: 'Store one sealed chunk (raw application/octet-stream body of its exact sealed length)',
          params: c.ChunkParams,
          response: { 200: c.ChunkReply, 415: ErrorBody, ...errors },
        },
      },
      async (request) => {
        const body = rawBodyOf(request);
        const length = contentLength(request.headers['content-length']);
        // Fastify's bodyLimit does not apply to a body handed on as a stream: checked here.
        if (length !== undefined && length > c.MAX_SEALED_CHUNK_BYTES)
          throw new AppError('request.too_large');
        return documents.putChunk(
          authOf(request),
          request.params.id,
          request.params.index,
          body ?? emptyBody(),
          body === undefined ? 0 : length,
        );
      },
    );

    app.put(
      '/api/v1/documents/:id/content',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary:
            'Store sealed chunks `from`, `from + 1`, … sent back to back (raw application/octet-stream, ' +
            `whole chunks only, at most ${c.MAX_CHUNKS_PER_CONTENT_REQUEST} per request)`,
          params: c.IdParams,
          querystring: c.ContentUploadQuery,
          response: { 200: c.ContentUploadReply, 415: ErrorBody, ...errors },
        },
      },
      async (request) => {
        const body = rawBodyOf(request);
        const length = contentLength(request.headers['content-length']);
        return documents.putContent(
          authOf(request),
          request.params.id,
          request.query.from,
          body ?? emptyBody(),
          body === undefined ? 0 : length,
        );
      },
    );

    app.post(
      '/api/v1/documents/:id/complete',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Finish an upload once every chunk is stored',
          params: c.IdParams,
          response: { 200: c.DocumentView, ...errors },
        },
      },
      async (request) => documents.complete(authOf(request), request.params.id),
    );

    app.get(
      '/api/v1/documents/:id/content',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary:
            'The sealed chunks of a complete document from chunk `from` on, back to back in one stream',
          params: c.IdParams,
          querystring: c.ContentQuery,
          response: { 200: SealedChunk, ...errors },
        },
      },
      async (request, reply) => {
        const content = await documents.readContent(
          authOf(request),
          request.params.id,
          request.query.from ?? 0,
        );
        return reply.type(OCTET_STREAM).header('content-length', content.size).send(content.stream);
      },
    );

    app.get(
      '/api/v1/documents/:id/chunks/:index',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'One sealed chunk of a complete document, streamed as application/octet-stream',
          params: c.ChunkParams,
          response: { 200: SealedChunk, ...errors },
        },
      },
      async (request, reply) => {
        const chunk = await documents.readChunk(authOf(request), request.params.id, request.params.index);
        return reply.type(OCTET_STREAM).header('content-length', chunk.size).send(chunk.stream);
      },
    );
  };
}
