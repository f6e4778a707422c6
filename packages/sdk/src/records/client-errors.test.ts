import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DOCUMENT_CHUNK_SIZE,
  type DataKey,
  DecryptionError,
  documentChunkCount,
  generateDataKey,
  generatePracticeKey,
  sealField,
  wrapDataKey,
} from '@tresor/crypto';
import { InvalidRecordInputError, UploadFileChangedError } from '../client-errors.js';
import type { records as c } from '../contract/index.js';
import { HttpClient } from '../http.js';
import { RecordsClient } from './records-client.js';
import type { PracticeKeys } from './records-context.js';
import type { EntryInput, PatientMaster, UploadSource } from './types.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const userId = '0b4e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const patientId = '3a9d7c1e-2b4f-4a6d-9c8e-7f6a5b4c3d2e';
const uploadId = '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b';
const entryId = '7c6b5a4f-3e2d-4c1b-9a0f-1e2d3c4b5a69';
const now = '2025-01-02T03:04:05.000Z';
const practiceKey = generatePracticeKey();
const keys: PracticeKeys = { practiceKeys: new Map([[1, practiceKey]]), currentPkVersion: 1 };
const anna: PatientMaster = { givenName: 'Anna', familyName: 'Roth', birthDate: '1970-02-03', sex: 'female' };

/**
 * A records server holding one patient (`patientId`), one entry and one upload of 10 bytes, all
 * sealed under that patient's data key; `master` and `entry` are what it stores sealed (of any
 * shape). Writes of patients and entries fail the test: the input must be refused before them.
 */
async function recordsServer(stored: { master?: unknown; entry?: unknown } = {}) {
  const dataKey: DataKey = generateDataKey();
  const field = (name: string) => ({ practiceId, recordId: patientId, field: name, version: 1 });
  const patient: c.PatientView = {
    id: patientId,
    version: 1,
    dataKey: await wrapDataKey(practiceKey, 1, dataKey, { practiceId, recordId: patientId }),
    master: await sealField(dataKey, field('master'), stored.master ?? anna),
    createdAt: now,
    createdBy: userId,
    updatedAt: now,
    updatedBy: userId,
    lastTreatment: null,
    retentionUntil: null,
  };
  const entry: c.EntryView = {
    id: entryId,
    patientId,
    body: await sealField(dataKey, field(`entry/${entryId}`), stored.entry ?? { kind: 'note', text: 'x' }),
    authorId: userId,
    createdAt: now,
  };
  const document = (id: string, meta: c.DocumentView['meta'], size: number): c.DocumentView => ({
    id,
    patientId,
    meta,
    size,
    chunkSize: DOCUMENT_CHUNK_SIZE,
    chunkCount: documentChunkCount(size),
    status: 'uploading',
    receivedChunks: [],
    createdAt: now,
    createdBy: userId,
    completedAt: null,
  });
  const pending = document(
    uploadId,
    await sealField(dataKey, field(`document/${uploadId}`), {
      name: 'a.pdf',
      type: 'application/pdf',
      size: 10,
    }),
    10,
  );
  const requests: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const method = init?.method ?? 'GET';
    requests.push(`${method} ${path}`);
    if (method === 'GET' && path === `/api/v1/patients/${patientId}`) return Response.json(patient);
    if (method === 'GET' && path === `/api/v1/patients/${patientId}/entries`) {
      return Response.json({ entries: [entry] });
    }
    if (method === 'GET' && path === `/api/v1/documents/${uploadId}`) return Response.json(pending);
    if (method === 'POST' && path === `/api/v1/patients/${patientId}/documents`) {
      const body = JSON.parse(init?.body as string) as c.CreateDocumentBody;
      return Response.json(document(body.id, body.meta, body.size));
    }
    if (method === 'PUT' && path.endsWith('/content')) return Response.json({ from: 0, count: 1 });
    throw new Error(`unexpected request ${method} ${path}`);
  };
  const records = new RecordsClient({
    http: new HttpClient({ baseUrl: 'http://tresor.test', fetch }),
    practiceId,
    token: () => 'session-token',
    keys: () => keys,
  });
  return { records, requests };
}

/** A file that says it has `size` bytes and streams `actual` bytes. */
function file(size: number, actual: number): UploadSource {
  return {
    name: 'a.pdf',
    type: 'application/pdf',
    size,
    stream: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(actual).fill(7));
          controller.close();
        },
      }),
  };
}

const isError =
  (type: typeof InvalidRecordInputError | typeof UploadFileChangedError, message: RegExp) =>
  (error: unknown) => {
    assert.ok(error instanceof type, String(error));
    assert.equal(error.name, type.name);
    assert.match(error.message, message);
    return true;
  };
const invalidInput = (message: RegExp) => isError(InvalidRecordInputError, message);
const fileChanged = (message: RegExp) => isError(UploadFileChangedError, message);

describe('records: input refused before it is sealed (InvalidRecordInputError)', () => {
  it('is a TypeError, as before it had a class', () => {
    const error = new InvalidRecordInputError('invalid clinical entry');
    assert.ok(error instanceof TypeError);
    assert.equal(error.name, 'InvalidRecordInputError');
  });

  it('refuses invalid master data on create, import and update, before any request', async () => {
    const { records, requests } = await recordsServer();
    const impossible = { ...anna, birthDate: '1970-02-30' };
    const nameless = { ...anna, givenName: '' };
    await assert.rejects(
      records.createPatient(impossible),
      invalidInput(/^invalid patient master data: birthDate$/),
    );
    await assert.rejects(
      records.createPatient(nameless),
      invalidInput(/^invalid patient master data: \/givenName /),
    );
    await assert.rejects(
      records.importPatients([anna, nameless]),
      invalidInput(/^invalid patient master data/),
    );
    await assert.rejects(
      records.updatePatient(patientId, impossible, 1),
      invalidInput(/^invalid patient master data/),
    );
    assert.deepEqual(requests, []);
  });

  it('refuses an invalid clinical entry before any request', async () => {
    const { records, requests } = await recordsServer();
    const entry = { kind: 'note', text: '' } as EntryInput;
    await assert.rejects(records.addEntry(patientId, entry), invalidInput(/^invalid clinical entry: /));
    assert.deepEqual(requests, []);
  });

  it('counts stored master data or an entry of the wrong shape as unreadable, not as invalid input', async () => {
    const badMaster = await recordsServer({ master: { givenName: 'Anna' } });
    await assert.rejects(badMaster.records.getPatient(patientId), DecryptionError);
    const badEntry = await recordsServer({ entry: { kind: 'note', text: 1 } });
    await assert.rejects(badEntry.records.listEntries(patientId), DecryptionError);
  });
});

describe('records: a file that is not the size its upload declared (UploadFileChangedError)', () => {
  it('is a RangeError, as before it had a class', () => {
    const error = new UploadFileChangedError('the file is larger than the size it declared');
    assert.ok(error instanceof RangeError);
    assert.equal(error.name, 'UploadFileChangedError');
  });

  it('refuses a file larger than it declared', async () => {
    const { records } = await recordsServer();
    await assert.rejects(
      records.uploadDocument(patientId, file(10, 20)),
      fileChanged(/^the file is larger than the size it declared$/),
    );
  });

  it('refuses a file smaller than it declared, before the upload is completed', async () => {
    const { records, requests } = await recordsServer();
    await assert.rejects(
      records.uploadDocument(patientId, file(10, 5)),
      fileChanged(/^the file is smaller than the size it declared$/),
    );
    assert.ok(!requests.some((request) => request.endsWith('/complete')), requests.join('\n'));
  });

  it('refuses to resume an upload with a file of another size', async () => {
    const { records, requests } = await recordsServer();
    await assert.rejects(
      records.resumeUpload(uploadId, file(11, 11)),
      fileChanged(/^this is not the file the upload was started with \(size differs\)$/),
    );
    assert.ok(!requests.some((request) => request.includes('/content')), requests.join('\n'));
  });
});
