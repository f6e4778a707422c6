import { Readable } from 'node:stream';
import { documentChunkCount, MAX_DOCUMENT_SIZE, sealedChunkLength } from '@tresor/crypto';
import { records } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import {
  type BlobKey,
  type BlobStore,
  BlobStoreError,
  type StagedBlob,
} from '../../platform/blob/blob-store.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import { StreamSegments } from '../../platform/streams/segments.js';
import { requirePatient } from './patients.service.js';
import { ciphertextHash, type RecordsAudit, recordsEvent } from './records.audit.js';
import type { RecordsStore, RecordsTx } from './records.store.js';
import type { StoredChunk, StoredDocument } from './records.types.js';
import { documentView } from './records.views.js';
import { isoDay, retentionUntil } from './retention.js';

/**
 * Refuses to send a document whose stored chunks the integrity scrub found damaged: the client
 * could not decrypt them, and a clear answer beats a failed decryption after the download.
 */
async function refuseDamaged(tx: RecordsTx, chunks: readonly StoredChunk[]): Promise<void> {
  const damaged = await tx.damagedBlobs(chunks.map((c) => c.blobKey));
  if (damaged.size > 0) throw new AppError('records.document_damaged');
}

async function requireDocument(tx: RecordsTx, id: string, lock = false): Promise<StoredDocument> {
  const document = await tx.document(id, { lock });
  if (document === undefined) throw new AppError('records.not_found');
  return document;
}

/** Chunk list of a document; a complete one has all of them, so they need not be read. */
/** A Content-Length must cover a run of whole chunks, and no more than one request may carry. */
function checkDeclaredRun(declared: number, lengths: readonly number[]): void {
  let run = 0;
  for (const length of lengths) {
    run += length;
    if (run === declared) return;
    if (run > declared) throw new AppError('records.chunk_invalid');
  }
  throw new AppError(
    lengths.length === records.MAX_CHUNKS_PER_CONTENT_REQUEST ? 'request.too_large' : 'records.chunk_invalid',
  );
}

function chunkOf(index: number, blob: StagedBlob): StoredChunk {
  return { index, blobKey: blob.key, size: blob.size };
}

function allChunks(document: StoredDocument): StoredChunk[] {
  return Array.from({ length: document.chunkCount }, (_, index) => ({
    index,
    blobKey: '' as BlobKey,
    size: 0,
  }));
}

/**
 * Documents: a resumable upload of sealed chunks (create → PUT chunk n, in any order and again
 * after an interruption → complete), then chunk-wise download. The server knows each chunk's
 * exact sealed length from the declared plaintext size, so it stores nothing it did not expect;
 * chunk bodies stream into the blob store and are never buffered whole. No transaction stays open
 * while a body is being received.
 */
export class DocumentsService {
  constructor(
    private readonly store: RecordsStore,
    private readonly blobs: BlobStore,
    private readonly audit: RecordsAudit,
    private readonly now: () => Date,
  ) {}

  create(
    auth: AuthContext,
    patientId: string,
    body: records.CreateDocumentBody,
  ): Promise<records.DocumentView> {
    if (body.size > MAX_DOCUMENT_SIZE) throw new AppError('records.document_too_large');
    return this.store.inPractice(auth.practiceId, async (tx) => {
      // Held, not just read: an erasure under way deletes the patient before this insert commits.
      if (!(await tx.holdPatient(patientId))) throw new AppError('records.not_found');
      const added = await tx.addDocument({
        id: body.id,
        patientId,
        meta: body.meta,
        size: body.size,
        chunkSize: body.chunkSize,
        chunkCount: documentChunkCount(body.size, body.chunkSize),
        createdBy: auth.userId,
        createdAt: this.now(),
      });
      if (!added) throw new AppError('records.id_taken');
      await this.audit.append(
        tx.scope,
        recordsEvent(auth, 'document.upload_started', body.id, ciphertextHash(body.meta)),
      );
      return documentView(await requireDocument(tx, body.id), []);
    });
  }

  get(auth: AuthContext, id: string): Promise<records.DocumentView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const document = await requireDocument(tx, id);
      return documentView(document, await tx.chunks(id));
    });
  }

  list(auth: AuthContext, patientId: string): Promise<records.DocumentView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await requirePatient(tx, patientId);
      const documents = await tx.documents(patientId);
      const views: records.DocumentView[] = [];
      for (const d of documents) {
        views.push(documentView(d, d.status === 'complete' ? allChunks(d) : await tx.chunks(d.id)));
      }
      return views;
    });
  }

  /**
   * Stores sealed chunk `index`. `declaredLength` is the request's Content-Length, if any; a body
   * of any other length than the chunk's exact sealed length is refused.
   */
  async putChunk(
    auth: AuthContext,
    id: string,
    index: number,
    body: AsyncIterable<Uint8Array>,
    declaredLength: number | undefined,
  ): Promise<{ index: number; size: number }> {
    const document = await this.openUpload(auth, id, index);
    const expected = sealedChunkLength(document.size, index, document.chunkSize);
    if (declaredLength !== undefined && declaredLength !== expected)
      throw new AppError('records.chunk_invalid');
    const staged = await this.stageChunk(body, expected);
    await this.storeChunks(auth, id, index, [staged]);
    return { index, size: staged.size };
  }

  /**
   * Stores the sealed chunks `from`, `from + 1`, … sent back to back in one body (at most
   * `MAX_CHUNKS_PER_CONTENT_REQUEST`; each cut off by its exact sealed length), then records them
   * in one transaction. A body that ends inside a chunk or runs past the last one is refused
   * with `records.chunk_invalid`; the whole chunks before that point are kept, so the client
   * resumes from what the document view lists as received.
   */
  async putContent(
    auth: AuthContext,
    id: string,
    from: number,
    body: AsyncIterable<Uint8Array>,
    declaredLength: number | undefined,
  ): Promise<{ from: number; count: number }> {
    const document = await this.openUpload(auth, id, from);
    const end = Math.min(document.chunkCount, from + records.MAX_CHUNKS_PER_CONTENT_REQUEST);
    const lengths: number[] = [];
    for (let index = from; index < end; index++)
      lengths.push(sealedChunkLength(document.size, index, document.chunkSize));
    if (declaredLength !== undefined) checkDeclaredRun(declaredLength, lengths);
    const segments = new StreamSegments(body);
    const staged: StagedBlob[] = [];
    let failure: Error | undefined;
    try {
      for (const length of lengths) {
        if (await segments.atEnd()) break;
        staged.push(await this.stageChunk(segments.next(length), length));
      }
      if (staged.length === 0 || !(await segments.atEnd())) throw new AppError('records.chunk_invalid');
    } catch (error) {
      failure = error instanceof Error ? error : new Error('upload body failed', { cause: error });
    }
    // One round of flushes for the whole run.
    if (staged.length > 0) await this.storeChunks(auth, id, from, staged);
    if (failure !== undefined) throw failure;
    return { from, count: staged.length };
  }

  /** The document, if it takes chunk `index` now. */
  private openUpload(auth: AuthContext, id: string, index: number): Promise<StoredDocument> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const document = await requireDocument(tx, id);
      if (document.status !== 'uploading') throw new AppError('records.upload_closed');
      if (index >= document.chunkCount) throw new AppError('records.chunk_invalid');
      return document;
    });
  }

  /** One chunk's bytes staged in the blob store; refused (and dropped) unless exactly `expected` long. */
  private async stageChunk(bytes: AsyncIterable<Uint8Array>, expected: number): Promise<StagedBlob> {
    let staged: StagedBlob;
    try {
      staged = await this.blobs.stage(bytes, { maxBytes: expected });
    } catch (error) {
      if (error instanceof BlobStoreError && error.code === 'blob.too_large') {
        throw new AppError('records.chunk_invalid');
      }
      throw error;
    }
    if (staged.size !== expected) {
      await this.blobs.discard([staged]);
      throw new AppError('records.chunk_invalid');
    }
    return staged;
  }

  /**
   * Makes staged chunks `from`, `from + 1`, … durable, then records them (replacing earlier
   * uploads of the same index) while the upload is open: a chunk is durable before it is recorded.
   * Whatever keeps them from being recorded (the upload closed, a lost race, a failed flush), the
   * blobs they were written to are deleted again unless some recorded row refers to them (the
   * same bytes stored by another request): no blob outlives a failed request unreferenced.
   */
  private async storeChunks(
    auth: AuthContext,
    id: string,
    from: number,
    staged: readonly StagedBlob[],
  ): Promise<void> {
    const chunks = staged.map((blob, offset) => chunkOf(from + offset, blob));
    const keys = chunks.map((c) => c.blobKey);
    let replaced: BlobKey[] | undefined;
    try {
      await this.blobs.commit(staged);
      replaced = await this.store.inPractice(auth.practiceId, async (tx) => {
        // The patient before the document, in the order erasure takes them (no deadlock).
        const found = await tx.document(id);
        if (found === undefined || !(await tx.holdPatient(found.patientId))) return undefined;
        const document = await tx.document(id, { lock: true });
        if (document?.status !== 'uploading') return undefined;
        // The blobs are content-addressed: a request that stored the same bytes and failed to
        // record them may have deleted them since this one wrote them. Checked under their locks,
        // which such a deletion takes too, so no row is committed for a blob that is gone.
        await tx.lockBlobs(keys);
        const blobs = await Promise.all(keys.map((key) => this.blobs.head(key)));
        if (blobs.includes(undefined)) throw new AppError('request.conflict');
        const previous: BlobKey[] = [];
        for (const chunk of chunks) {
          const key = await tx.putChunk(id, chunk);
          if (key !== undefined) previous.push(key);
        }
        return previous;
      });
    } catch (error) {
      // The original error is the answer (a lost race stays a retryable 409); a blob this cleanup
      // cannot delete now (the database gone too) is left behind.
      await this.discard(auth.practiceId, keys).catch(() => undefined);
      throw error;
    }
    if (replaced === undefined) {
      await this.discard(auth.practiceId, keys);
      throw new AppError('records.upload_closed');
    }
    if (replaced.length > 0) await this.discard(auth.practiceId, replaced);
  }

  /** Closes the upload once every chunk is there; the document counts as treatment from then on. */
  complete(auth: AuthContext, id: string): Promise<records.DocumentView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      // The patient (updated below) before the document, in the order erasure locks them: the
      // other way round, each waited for the other's lock (deadlock).
      await requirePatient(tx, (await requireDocument(tx, id)).patientId, true);
      const document = await requireDocument(tx, id, true);
      const chunks = await tx.chunks(id);
      if (document.status === 'complete') return documentView(document, chunks);
      const complete = chunks.length === document.chunkCount && chunks.every((c, i) => c.index === i);
      if (!complete) throw new AppError('records.upload_incomplete');
      const at = this.now();
      await tx.completeDocument(id, at);
      const today = isoDay(at);
      await tx.setTreatment(document.patientId, today, retentionUntil(today));
      await this.audit.append(
        tx.scope,
        recordsEvent(
          auth,
          'document.added',
          id,
          ciphertextHash(
            document.meta,
            chunks.map((c) => c.blobKey),
          ),
        ),
      );
      return documentView(await requireDocument(tx, id), chunks);
    });
  }

  /** The sealed bytes of chunk `index` of a complete document, as a stream. */
  async readChunk(auth: AuthContext, id: string, index: number): Promise<{ stream: Readable; size: number }> {
    const chunk = await this.store.inPractice(auth.practiceId, async (tx) => {
      const found = await tx.documentChunk(id, index);
      if (found === undefined) throw new AppError('records.not_found');
      if (found.status !== 'complete') throw new AppError('records.document_not_ready');
      if (found.chunk !== undefined) await refuseDamaged(tx, [found.chunk]);
      return found.chunk;
    });
    if (chunk === undefined) throw new AppError('records.not_found');
    const stream = await this.blobs.get(chunk.blobKey);
    if (stream === undefined) throw new Error(`blob of document ${id} chunk ${index} is missing`);
    return { stream, size: chunk.size };
  }

  /**
   * The sealed chunks of a complete document from chunk `from` on, back to back in one stream
   * (each chunk's length follows from the document's size, so the client can cut them apart).
   * One request instead of one per chunk; the blobs are opened one after the other.
   */
  async readContent(
    auth: AuthContext,
    id: string,
    from: number,
  ): Promise<{ stream: Readable; size: number }> {
    const chunks = await this.store.inPractice(auth.practiceId, async (tx) => {
      const document = await requireDocument(tx, id);
      if (document.status !== 'complete') throw new AppError('records.document_not_ready');
      if (from >= document.chunkCount) throw new AppError('records.chunk_invalid');
      const wanted = (await tx.chunks(id)).filter((c) => c.index >= from);
      await refuseDamaged(tx, wanted);
      return wanted;
    });
    const blobs = this.blobs;
    const size = chunks.reduce((sum, c) => sum + c.size, 0);
    async function* content(): AsyncGenerator<Uint8Array> {
      for (const chunk of chunks) {
        const stream = await blobs.get(chunk.blobKey);
        if (stream === undefined) throw new Error(`blob of document ${id} chunk ${chunk.index} is missing`);
        let sent = 0;
        for await (const piece of stream as AsyncIterable<Uint8Array>) {
          sent += piece.length;
          yield piece;
        }
        // The Content-Length promised the recorded size: a blob of another length breaks the
        // response off (the client fails at once) instead of leaving it waiting for bytes.
        if (sent !== chunk.size)
          throw new Error(`blob of document ${id} chunk ${chunk.index} has the wrong size`);
      }
    }
    return { stream: Readable.from(content(), { objectMode: false }), size };
  }

  /**
   * Deletes blobs that no practice refers to (any more). Each is checked and deleted under its
   * key's lock, so never while a request that wrote the same bytes is recording them.
   */
  async discard(practiceId: string, keys: readonly BlobKey[]): Promise<void> {
    for (const key of new Set(keys)) {
      await this.store.inPractice(practiceId, async (tx) => {
        await tx.lockBlobs([key]);
        if (!(await tx.blobInUse(key))) await this.blobs.delete(key);
      });
    }
  }
}
