import {
  type DataKey,
  DOCUMENT_CHUNK_SIZE,
  DecryptionError,
  DocumentCipher,
  MAX_DOCUMENT_SIZE,
  chunkPlaintext,
  concatBytes,
  documentChunkCount,
  sealedChunkLength,
  openField,
  sealField,
} from '@tresor/crypto';
import { Value } from '@sinclair/typebox/value';
import { TresorApiError } from '../api-error.js';
import { UploadFileChangedError } from '../client-errors.js';
import { records as c } from '../contract/index.js';
import { dataKeyForWrite, fetchPatient } from './patients.js';
import { type DocumentMeta, DocumentMetaSchema } from './plaintext.js';
import { checkedListing, noteListed } from './record-versions.js';
import { type RecordsContext, call, openDataKey, randomId } from './records-context.js';
import type { DocumentInfo, DownloadOptions, PendingUpload, UploadOptions, UploadSource } from './types.js';

const enc = encodeURIComponent;
/** Upload requests in flight at once: overlaps encryption with the network and the server's writes. */
const PARALLEL_UPLOADS = 2;
/**
 * Sealed chunks per upload request (4 MiB): fewer requests and transactions per file, while a
 * failed request costs little and the file is read at most (PARALLEL_UPLOADS + 1) × 4 MiB ahead
 * of what the server acknowledged.
 */
const CHUNKS_PER_REQUEST = Math.min(4, c.MAX_CHUNKS_PER_CONTENT_REQUEST);

function metaField(context: RecordsContext, patientId: string, documentId: string) {
  return { practiceId: context.practiceId, recordId: patientId, field: `document/${documentId}`, version: 1 };
}

async function openMeta(
  context: RecordsContext,
  dataKey: DataKey,
  view: c.DocumentView,
): Promise<DocumentMeta> {
  const meta = await openField(dataKey, view.meta, metaField(context, view.patientId, view.id));
  if (!Value.Check(DocumentMetaSchema, meta)) throw new DecryptionError();
  return meta;
}

function info(view: c.DocumentView, meta: DocumentMeta): DocumentInfo {
  return { id: view.id, name: meta.name, type: meta.type, size: meta.size, createdAt: view.createdAt };
}

function cipherFor(context: RecordsContext, dataKey: DataKey, view: { id: string; patientId: string }) {
  return DocumentCipher.create(dataKey, {
    practiceId: context.practiceId,
    recordId: view.patientId,
    documentId: view.id,
  });
}

/**
 * Reads the file once, seals it chunk by chunk and sends the chunks the server does not have yet
 * (all of them for a new upload) in runs of consecutive chunks, one request per run, a few
 * requests at a time; then completes the upload.
 */
async function sendChunks(
  context: RecordsContext,
  dataKey: DataKey,
  view: c.DocumentView,
  file: UploadSource,
  options: UploadOptions,
): Promise<DocumentInfo> {
  const cipher = await cipherFor(context, dataKey, view);
  const have = new Set(view.receivedChunks);
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let read = 0;
  let failure: unknown;
  /** Consecutive chunks for one request; `parts` holds each chunk's nonce and ciphertext. */
  let run: { from: number; chunks: number; parts: Uint8Array[]; plainBytes: number } | undefined;
  options.onProgress?.(0, file.size);

  const send = async (batch: NonNullable<typeof run>) => {
    const put = context.http
      .raw('PUT', `/api/v1/documents/${enc(view.id)}/content?from=${batch.from}`, {
        token: context.token(),
        body: concatBytes(...batch.parts),
        signal: options.signal,
      })
      .then(async (response) => {
        await response.body?.cancel();
        sent += batch.plainBytes;
        options.onProgress?.(sent, file.size);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(put));
    inFlight.add(put);
    if (inFlight.size >= PARALLEL_UPLOADS) await Promise.race(inFlight);
  };

  for await (const chunk of chunkPlaintext(file.stream(), view.chunkSize)) {
    options.signal?.throwIfAborted();
    if (failure !== undefined) break;
    read += chunk.bytes.length;
    if (chunk.index >= view.chunkCount || read > file.size) {
      throw new UploadFileChangedError('the file is larger than the size it declared');
    }
    if (have.has(chunk.index)) {
      if (run !== undefined) await send(run);
      run = undefined;
      sent += chunk.bytes.length;
      options.onProgress?.(sent, file.size);
      continue;
    }
    run ??= { from: chunk.index, chunks: 0, parts: [], plainBytes: 0 };
    run.parts.push(...(await cipher.sealParts(chunk.index, chunk.final, chunk.bytes)));
    run.chunks++;
    run.plainBytes += chunk.bytes.length;
    if (run.chunks >= CHUNKS_PER_REQUEST) {
      await send(run);
      run = undefined;
    }
  }
  if (run !== undefined && failure === undefined) await send(run);
  await Promise.all(inFlight);
  if (failure !== undefined)
    throw failure instanceof Error ? failure : new Error('upload failed', { cause: failure });
  options.signal?.throwIfAborted();
  if (read !== file.size) throw new UploadFileChangedError('the file is smaller than the size it declared');
  const done = await call(context, 'POST', `/api/v1/documents/${enc(view.id)}/complete`, c.DocumentView);
  return info(done, await openMeta(context, dataKey, done));
}

export async function uploadDocument(
  context: RecordsContext,
  patientId: string,
  file: UploadSource,
  options: UploadOptions = {},
): Promise<DocumentInfo> {
  if (!Number.isSafeInteger(file.size) || file.size < 0)
    throw new RangeError('file size must be an integer >= 0');
  if (file.size > MAX_DOCUMENT_SIZE) {
    throw new TresorApiError(
      'records.document_too_large',
      'The document is too large (at most 500 MB).',
      413,
    );
  }
  const dataKey = await dataKeyForWrite(context, await fetchPatient(context, patientId));
  try {
    const id = randomId();
    const meta: DocumentMeta = { name: file.name, type: file.type, size: file.size };
    const body: c.CreateDocumentBody = {
      id,
      meta: await sealField(dataKey, metaField(context, patientId, id), meta),
      size: file.size,
      chunkSize: DOCUMENT_CHUNK_SIZE,
    };
    const view = await call(
      context,
      'POST',
      `/api/v1/patients/${enc(patientId)}/documents`,
      c.DocumentView,
      body,
    );
    options.onUploadId?.(id);
    return await sendChunks(context, dataKey, view, file, options);
  } finally {
    dataKey.fill(0);
  }
}

/** Continues an interrupted upload with the same file: only the chunks the server lacks are sent. */
export async function resumeUpload(
  context: RecordsContext,
  uploadId: string,
  file: UploadSource,
  options: UploadOptions = {},
): Promise<DocumentInfo> {
  const view = await call(context, 'GET', `/api/v1/documents/${enc(uploadId)}`, c.DocumentView);
  const dataKey = await openDataKey(
    context,
    view.patientId,
    (await fetchPatient(context, view.patientId)).dataKey,
  );
  try {
    const meta = await openMeta(context, dataKey, view);
    if (meta.size !== file.size || view.size !== file.size) {
      throw new UploadFileChangedError('this is not the file the upload was started with (size differs)');
    }
    if (view.status === 'complete') return info(view, meta);
    return await sendChunks(context, dataKey, view, file, options);
  } finally {
    dataKey.fill(0);
  }
}

async function documentList(context: RecordsContext, patientId: string): Promise<c.DocumentView[]> {
  const path = `/api/v1/patients/${enc(patientId)}/documents`;
  return (await call(context, 'GET', path, c.DocumentList)).documents;
}

/**
 * The complete documents of a patient. Complete documents are only ever added (until the whole
 * record is erased), so a listing with fewer than this session or device listed is refused.
 */
export async function listDocuments(context: RecordsContext, patientId: string): Promise<DocumentInfo[]> {
  const patient = await fetchPatient(context, patientId);
  const complete = await checkedListing(context, patientId, 'documents', async () =>
    (await documentList(context, patientId)).filter((view) => view.status === 'complete'),
  );
  const dataKey = await openDataKey(context, patientId, patient.dataKey);
  try {
    const out: DocumentInfo[] = [];
    for (const view of complete) out.push(info(view, await openMeta(context, dataKey, view)));
    noteListed(context, patientId, 'documents', out.length);
    return out;
  } finally {
    dataKey.fill(0);
  }
}

export async function pendingUploads(context: RecordsContext, patientId: string): Promise<PendingUpload[]> {
  const patient = await fetchPatient(context, patientId);
  const documents = await documentList(context, patientId);
  const dataKey = await openDataKey(context, patientId, patient.dataKey);
  try {
    const out: PendingUpload[] = [];
    for (const view of documents) {
      if (view.status !== 'uploading') continue;
      out.push({
        ...info(view, await openMeta(context, dataKey, view)),
        patientId,
        chunkCount: view.chunkCount,
        receivedChunks: view.receivedChunks,
      });
    }
    return out;
  } finally {
    dataKey.fill(0);
  }
}

/** Cuts the sealed chunks out of one response body, which carries them back to back. */
class SealedChunkReader {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Exactly `length` bytes; a body that ends early fails like a tampered chunk. */
  async read(length: number): Promise<Uint8Array> {
    while (this.pendingBytes < length) {
      const { done, value } = await this.reader.read();
      if (done) throw new DecryptionError();
      this.pending.push(value);
      this.pendingBytes += value.length;
    }
    const first = this.pending[0];
    if (first?.length === length) {
      this.pending.shift();
      this.pendingBytes -= length;
      return first;
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const head = this.pending[0]!;
      const take = Math.min(head.length, length - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= length;
    return out;
  }

  /** True when the body has no bytes left (extra bytes mean an extended document). */
  async atEnd(): Promise<boolean> {
    while (this.pendingBytes === 0) {
      const { done, value } = await this.reader.read();
      if (done) return true;
      this.pendingBytes += value.length;
    }
    return false;
  }

  async cancel(): Promise<void> {
    this.pending = [];
    await this.reader.cancel();
  }
}

/**
 * A stream of the decrypted document. All chunks come in one response, in order, and each is
 * authenticated before any of its bytes are handed out; the chunk the server calls last must
 * have been sealed as the last one, and the total must match the encrypted size, so a shortened,
 * reordered or extended document errors the stream instead of ending it quietly.
 */
export async function downloadDocument(
  context: RecordsContext,
  documentId: string,
  options: DownloadOptions = {},
): Promise<{ info: DocumentInfo; stream: ReadableStream<Uint8Array> }> {
  const view = await call(context, 'GET', `/api/v1/documents/${enc(documentId)}`, c.DocumentView);
  if (view.status !== 'complete') {
    throw new TresorApiError(
      'records.document_not_ready',
      'This document has not been uploaded completely yet.',
      409,
    );
  }
  const dataKey = await openDataKey(
    context,
    view.patientId,
    (await fetchPatient(context, view.patientId)).dataKey,
  );
  let meta: DocumentMeta;
  let cipher: DocumentCipher;
  try {
    meta = await openMeta(context, dataKey, view);
    cipher = await cipherFor(context, dataKey, view);
  } finally {
    dataKey.fill(0);
  }
  if (documentChunkCount(meta.size, view.chunkSize) !== view.chunkCount) throw new DecryptionError();
  const response = await context.http.raw('GET', `/api/v1/documents/${enc(documentId)}/content`, {
    token: context.token(),
  });
  const body = response.body;
  if (body === null) throw new DecryptionError();
  const sealed = new SealedChunkReader(body.getReader());
  const last = view.chunkCount - 1;
  // Chunk i + 1 is read from the network and decrypted while the reader handles chunk i: reads
  // stay in order (one chain), and at most one decrypted chunk waits ahead of the reader.
  let reading: Promise<unknown> = Promise.resolve();
  const fetchChunk = (index: number): Promise<Uint8Array> => {
    const bytes = reading.then(() => sealed.read(sealedChunkLength(meta.size, index, view.chunkSize)));
    reading = bytes;
    const plain = bytes.then((sealedBytes) => cipher.open(index, index === last, sealedBytes));
    plain.catch(() => undefined); // awaited by pull(); a cancelled download must not leave it unhandled
    return plain;
  };
  let next = 0;
  let ahead: Promise<Uint8Array> | undefined;
  let received = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next > last) {
        if (received !== meta.size || !(await sealed.atEnd())) throw new DecryptionError();
        controller.close();
        return;
      }
      const current = ahead ?? fetchChunk(next);
      ahead = next < last ? fetchChunk(next + 1) : undefined;
      const plain = await current;
      next++;
      received += plain.length;
      if (received > meta.size) throw new DecryptionError();
      options.onProgress?.(received, meta.size);
      controller.enqueue(plain);
    },
    async cancel() {
      await sealed.cancel();
    },
  });
  return { info: info(view, meta), stream };
}
