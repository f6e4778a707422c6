import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, records as c } from '@tresor/sdk/contract';
import { type AuthGuards, authOf } from '../../platform/http/auth-guard.js';
import type { DirectoryService } from './directory.service.js';
import type { EntriesService } from './entries.service.js';
import type { ErasureService } from './erasure.service.js';
import type { PatientsService } from './patients.service.js';

const Ok = Type.Object({ ok: Type.Literal(true) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

export interface RecordsServices {
  readonly patients: PatientsService;
  readonly entries: EntriesService;
  readonly directory: DirectoryService;
  readonly erasure: ErasureService;
}

/**
 * Patients, clinical entries, the encrypted directory, blind-index lookups, data-key re-wrapping,
 * erasure and retention. Any signed-in member reads and writes; bodies are ciphertext.
 */
export function recordsRoutes(services: RecordsServices, guards: AuthGuards): FastifyPluginAsyncTypebox {
  const { patients, entries, directory, erasure } = services;
  return async (app) => {
    const tags = ['records'];
    const signedIn = guards.signedIn;

    app.post(
      '/api/v1/patients',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary:
            'Create a patient: wrapped data key, encrypted master data (version 1), blind index, directory entry',
          body: c.CreatePatientBody,
          response: { 201: c.PatientView, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await patients.create(authOf(request), request.body)),
    );

    app.post(
      '/api/v1/patients/import',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Create up to 500 patients in one transaction (import from a previous system)',
          body: c.ImportPatientsBody,
          response: { 201: c.ImportPatientsReply, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send({ ids: await patients.import(authOf(request), request.body) }),
    );

    app.get(
      '/api/v1/patients/:id',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'A patient with the current version of the encrypted master data',
          params: c.IdParams,
          response: { 200: c.PatientView, ...errors },
        },
      },
      async (request) => patients.get(authOf(request), request.params.id),
    );

    app.put(
      '/api/v1/patients/:id',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary:
            'Store a new version of the master data (409 records.version_conflict unless expectedVersion is current)',
          params: c.IdParams,
          body: c.UpdatePatientBody,
          response: { 200: c.PatientView, ...errors },
        },
      },
      async (request) => patients.update(authOf(request), request.params.id, request.body),
    );

    app.get(
      '/api/v1/patients/:id/versions',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Every version of the encrypted master data, oldest first, with who changed it when',
          params: c.IdParams,
          response: { 200: c.PatientVersions, ...errors },
        },
      },
      async (request) => patients.history(authOf(request), request.params.id),
    );

    app.put(
      '/api/v1/patients/:id/index',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Replace the blind index and directory entry (rebuild after a practice-key rotation)',
          params: c.IdParams,
          body: c.UpdateIndexBody,
          response: { 200: Ok, ...errors },
        },
      },
      async (request) => {
        await patients.updateIndex(authOf(request), request.params.id, request.body);
        return { ok: true as const };
      },
    );

    app.put(
      '/api/v1/patients/:id/data-key',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Compare-and-swap the wrapped data key (re-wrap under the current practice-key version)',
          params: c.IdParams,
          body: c.ReplaceDataKeyBody,
          response: { 200: c.ReplaceDataKeyReply, ...errors },
        },
      },
      async (request) => ({
        replaced: await patients.replaceDataKey(authOf(request), request.params.id, request.body),
      }),
    );

    app.get(
      '/api/v1/data-keys',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: "Every patient's wrapped data key, by id, in pages (for re-wrapping after a rotation)",
          querystring: c.DataKeysQuery,
          response: { 200: c.DataKeysPage, ...errors },
        },
      },
      async (request) => patients.dataKeys(authOf(request), request.query.after, request.query.limit ?? 500),
    );

    app.post(
      '/api/v1/patients/lookup',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Candidate patient ids for 16-bit blind-index values (KVNR, surname + date of birth)',
          body: c.LookupBody,
          response: { 200: c.LookupReply, ...errors },
        },
      },
      async (request) => ({ ids: await directory.lookup(authOf(request), request.body) }),
    );

    app.get(
      '/api/v1/directory',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Encrypted directory entries changed since a cursor (tombstones for erased patients)',
          querystring: c.DirectoryQuery,
          response: { 200: c.DirectoryPage, ...errors },
        },
      },
      async (request) =>
        directory.changes(authOf(request), request.query.since ?? 0, request.query.limit ?? 1000),
    );

    app.get(
      '/api/v1/patients/:id/entries',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Clinical entries of a patient, oldest first',
          params: c.IdParams,
          response: { 200: c.EntryList, ...errors },
        },
      },
      async (request) => ({ entries: await entries.list(authOf(request), request.params.id) }),
    );

    app.post(
      '/api/v1/patients/:id/entries',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Add an encrypted clinical entry (author and time are set by the server)',
          params: c.IdParams,
          body: c.CreateEntryBody,
          response: { 201: c.EntryView, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await entries.add(authOf(request), request.params.id, request.body)),
    );

    app.post(
      '/api/v1/patients/:id/erase',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary:
            'Erase a patient (crypto-shredding); under retention only by a primary user with an encrypted reason',
          params: c.IdParams,
          body: c.EraseBody,
          response: { 200: c.EraseReply, ...errors },
        },
      },
      async (request) => {
        await erasure.erase(authOf(request), request.params.id, request.body);
        return { erased: true as const };
      },
    );

    app.get(
      '/api/v1/erasures',
      {
        preHandler: guards.primary,
        schema: {
          tags,
          summary: 'Primary users: the erasure log (who, when, category, encrypted reason)',
          response: { 200: c.ErasureList, ...errors },
        },
      },
      async (request) => ({ erasures: await erasure.list(authOf(request)) }),
    );

    app.get(
      '/api/v1/retention/expired',
      {
        preHandler: signedIn,
        schema: {
          tags,
          summary: 'Patients whose retention period (10 years after the last treatment) is over',
          response: { 200: c.ExpiredRetention, ...errors },
        },
      },
      async (request) => ({ records: await erasure.expired(authOf(request)) }),
    );
  };
}
