import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type AccountSession, ListRollbackError, type PatientMaster, type UploadSource } from '@tresor/sdk';
import { MembersFixture, rejectsWith } from '../../testing/members-fixture.js';

const MiB = 1024 * 1024;

/** A file of `size` pseudo-random bytes made on the fly (never held whole), with a counter of bytes read. */
function syntheticFile(size: number, seed: string) {
  const state = { read: 0 };
  const file: UploadSource = {
    name: 'Arztbrief Kardiologie.pdf',
    type: 'application/pdf',
    size,
    stream() {
      let offset = 0;
      let block = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= size) {
            controller.close();
            return;
          }
          // 64 KiB pieces: SHA-256 in counter mode.
          const piece = new Uint8Array(Math.min(64 * 1024, size - offset));
          for (let i = 0; i < piece.length; i += 32) {
            const digest = createHash('sha256').update(`${seed}:${block++}`).digest();
            piece.set(digest.subarray(0, Math.min(32, piece.length - i)), i);
          }
          offset += piece.length;
          state.read += piece.length;
          controller.enqueue(piece);
        },
      });
    },
  };
  return { file, state };
}

async function digestOf(stream: ReadableStream<Uint8Array>, onChunk?: () => Promise<void>) {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of stream) {
    hash.update(piece);
    size += piece.length;
    await onChunk?.();
  }
  return { sha256: hash.digest('hex'), size };
}

const anna: PatientMaster = {
  givenName: 'Anna',
  familyName: 'Meier',
  birthDate: '1980-03-12',
  sex: 'female',
  address: { street: 'Lindenstraße 4', postalCode: '50667', city: 'Köln' },
  insurance: { kvnr: 'A123456780', insurerName: 'AOK Rheinland', ik: '104212505', type: 'gkv' },
};
const jonas: PatientMaster = {
  givenName: 'Jonas',
  familyName: 'Müller',
  birthDate: '1975-11-02',
  sex: 'male',
};
const emine: PatientMaster = {
  givenName: 'Emine',
  familyName: 'Schmitt',
  birthDate: '1992-07-30',
  sex: 'female',
  insurance: { kvnr: 'B987654321', type: 'gkv' },
};

/** The SDK's records API against a real server: patients, search, history, documents, erasure. */
describe('records through the SDK', () => {
  let f: MembersFixture;
  let doctor: AccountSession;
  let nurse: AccountSession;
  const ids = new Map<string, string>();

  before(async () => {
    f = await MembersFixture.start();
    doctor = await f.found('Praxis Dr. Sommer', 'j.sommer');
    nurse = await f.onboard(doctor, 'm.lehmann');
  });
  after(() => f.close());

  it('creates three patients and finds them by prefix, substring, phonetics, date of birth and KVNR', async () => {
    for (const master of [anna, jonas, emine]) {
      const patient = await doctor.records.createPatient(master);
      assert.equal(patient.version, 1);
      assert.deepEqual(patient.master, master);
      ids.set(master.familyName, patient.id);
    }
    const directory = await nurse.records.directory();
    assert.equal(directory.size, 3);
    const names = (query: string) => directory.search(query).map((h) => [h.familyName, h.match]);
    assert.deepEqual(names('mei'), [['Meier', 'prefix']]);
    assert.deepEqual(names('Meyer'), [['Meier', 'phonetic']], 'Kölner Phonetik: Meyer = Meier');
    assert.deepEqual(names('Maier anna'), [['Meier', 'phonetic']]);
    assert.deepEqual(names('Mueller'), [['Müller', 'prefix']], 'Müller = Mueller');
    assert.deepEqual(names('üll'), [['Müller', 'substring']]);
    assert.deepEqual(names('Schmidt'), [['Schmitt', 'phonetic']]);
    assert.deepEqual(names('12.03.1980'), [['Meier', 'birthDate']]);
    assert.deepEqual(names('1975-11-02'), [['Müller', 'birthDate']]);
    assert.deepEqual(names('b 987 654 321'.replaceAll(' ', '')), [['Schmitt', 'kvnr']]);
    assert.deepEqual(names('Meier 02.11.1975'), [], 'a date filters');
    assert.deepEqual(names(''), []);
    assert.equal(directory.search('a', 2).length, 2, 'limit');
  });

  it('looks patients up through the blind indexes and drops false hits', async () => {
    const byKvnr = await nurse.records.findByKvnr('a123456780');
    assert.deepEqual(
      byKvnr.map((p) => p.id),
      [ids.get('Meier')],
    );
    const byName = await nurse.records.findBySurnameAndBirthDate('MUELLER', '1975-11-02');
    assert.deepEqual(
      byName.map((p) => p.master.givenName),
      ['Jonas'],
    );
    assert.deepEqual(await nurse.records.findByKvnr('Z000000000'), []);
    assert.deepEqual(await nurse.records.findBySurnameAndBirthDate('Müller', '1975-11-03'), []);
  });

  it('keeps every version, refuses a stale edit and shows who changed what', async () => {
    const id = ids.get('Meier')!;
    const moved = { ...anna, address: { street: 'Domplatz 1', postalCode: '50667', city: 'Köln' } };
    const v2 = await nurse.records.updatePatient(id, moved, 1);
    assert.equal(v2.version, 2);
    await assert.rejects(
      doctor.records.updatePatient(id, { ...anna, familyName: 'Meier-Schulz' }, 1),
      rejectsWith('records.version_conflict'),
    );
    const renamed = await doctor.records.updatePatient(id, { ...moved, familyName: 'Meier-Schulz' }, 2);
    assert.equal(renamed.version, 3);
    const history = await doctor.records.patientHistory(id);
    assert.deepEqual(
      history.map((v) => [v.version, v.master.familyName, v.master.address?.street, v.changedBy.username]),
      [
        [1, 'Meier', 'Lindenstraße 4', 'j.sommer'],
        [2, 'Meier', 'Domplatz 1', 'm.lehmann'],
        [3, 'Meier-Schulz', 'Domplatz 1', 'j.sommer'],
      ],
    );
    const directory = await nurse.records.directory();
    await directory.refresh();
    assert.deepEqual(
      directory.search('schulz').map((h) => h.id),
      [id],
    );
    assert.equal(directory.size, 3);
  });

  it('adds and lists clinical entries with author and time', async () => {
    const id = ids.get('Müller')!;
    await doctor.records.addEntry(id, {
      kind: 'diagnosis',
      icd10: 'J06.9',
      text: 'Akuter Infekt der oberen Atemwege',
    });
    await nurse.records.addEntry(id, { kind: 'medication', name: 'Ibuprofen 400', dosage: '1-0-1' });
    await doctor.records.addEntry(id, { kind: 'note', text: 'Kontrolle in einer Woche.' });
    const entries = await nurse.records.listEntries(id);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.author.username]),
      [
        ['diagnosis', 'j.sommer'],
        ['medication', 'm.lehmann'],
        ['note', 'j.sommer'],
      ],
    );
    assert.ok(entries.every((e) => !Number.isNaN(Date.parse(e.createdAt))));
    await assert.rejects(
      doctor.records.addEntry(id, { kind: 'diagnosis', icd10: 'nonsense', text: '' }),
      TypeError,
    );
    const patient = await doctor.records.getPatient(id);
    assert.match(patient.retentionUntil ?? '', /^\d{4}-12-31$/, 'an entry starts the retention period');
  });

  it('uploads and downloads a 20 MB document byte-identical, chunk by chunk', async () => {
    const id = ids.get('Schmitt')!;
    const size = 20 * MiB + 12345;
    const { file, state } = syntheticFile(size, 'befund');
    const expected = await digestOf(syntheticFile(size, 'befund').file.stream());
    let maxAhead = 0;
    let progressCalls = 0;
    const info = await doctor.records.uploadDocument(id, file, {
      onProgress(sent, total) {
        progressCalls++;
        assert.equal(total, size);
        // The file is read at most three requests of 4 chunks ahead of what the server acknowledged.
        maxAhead = Math.max(maxAhead, state.read - sent);
      },
    });
    assert.equal(info.size, size);
    assert.equal(info.name, 'Arztbrief Kardiologie.pdf');
    assert.ok(maxAhead <= 12 * MiB, `read ${maxAhead} bytes ahead of the upload`);
    assert.ok(progressCalls > 5);

    const listed = await nurse.records.listDocuments(id);
    assert.deepEqual(listed, [info]);
    let received = 0;
    let consumed = 0;
    let maxBuffered = 0;
    const download = await nurse.records.downloadDocument(info.id, {
      onProgress(bytes) {
        received = bytes;
        maxBuffered = Math.max(maxBuffered, received - consumed);
      },
    });
    assert.deepEqual(download.info, info);
    const got = await digestOf(download.stream, async () => {
      consumed = received;
      await new Promise((resolve) => setImmediate(resolve)); // a slow reader
    });
    assert.deepEqual(got, expected, 'byte-identical');
    // Bounded memory, checked deterministically (process memory figures depend on the GC): the
    // uploader never reads far ahead of what the server acknowledged (above), and the download
    // never decrypts more than a chunk or two ahead of its reader.
    assert.ok(maxBuffered <= 2 * MiB, `decrypted ${maxBuffered} bytes ahead of the reader`);
  });

  it('resumes an interrupted upload, sending only the missing chunks', async () => {
    const id = ids.get('Schmitt')!;
    const size = 14 * MiB + 7; // 15 chunks, sent 4 per request
    const controller = new AbortController();
    let uploadId = '';
    await assert.rejects(
      doctor.records.uploadDocument(id, syntheticFile(size, 'roentgen').file, {
        signal: controller.signal,
        onUploadId: (value) => (uploadId = value),
        onProgress: (sent) => {
          if (sent >= MiB) controller.abort();
        },
      }),
    );
    const [pending] = await doctor.records.pendingUploads(id);
    assert.equal(pending?.id, uploadId);
    assert.ok(pending.receivedChunks.length >= 4 && pending.receivedChunks.length < 15);
    const resumed = await nurse.records.resumeUpload(uploadId, syntheticFile(size, 'roentgen').file);
    assert.equal(resumed.size, size);
    const { stream } = await doctor.records.downloadDocument(uploadId);
    assert.deepEqual(await digestOf(stream), await digestOf(syntheticFile(size, 'roentgen').file.stream()));
    assert.deepEqual(await doctor.records.pendingUploads(id), []);
  });

  it('refuses a download whose chunks the server swapped or cut short', async () => {
    const id = ids.get('Schmitt')!;
    const size = 2 * MiB + 5; // three chunks
    const info = await doctor.records.uploadDocument(id, syntheticFile(size, 'labor').file);
    const chunkRows = () =>
      f.asOwner((trx) =>
        trx
          .selectFrom('document_chunks')
          .select(['idx', 'blob_key', 'size'])
          .where('document_id', '=', info.id)
          .orderBy('idx')
          .execute(),
      );
    const original = await chunkRows();
    const setChunk = (idx: number, chunk: { blob_key: string; size: number }) =>
      f.asOwner((trx) =>
        trx
          .updateTable('document_chunks')
          .set({ blob_key: chunk.blob_key, size: chunk.size })
          .where('document_id', '=', info.id)
          .where('idx', '=', idx)
          .execute(),
      );
    const readAll = async () => digestOf((await nurse.records.downloadDocument(info.id)).stream);
    const expected = await digestOf(syntheticFile(size, 'labor').file.stream());
    assert.deepEqual(await readAll(), expected);

    // Chunks 0 and 1 swapped: each is authenticated for its position.
    await setChunk(0, original[1]!);
    await setChunk(1, original[0]!);
    await assert.rejects(readAll(), { name: 'DecryptionError' });
    // Chunk 1 replaced by the final chunk: the stream comes out short.
    await setChunk(0, original[0]!);
    await setChunk(1, original[2]!);
    await assert.rejects(readAll(), { name: 'DecryptionError' });
    // A blob shorter than the size on record: the server breaks the response off.
    await setChunk(1, { blob_key: original[2]!.blob_key, size: original[1]!.size });
    await assert.rejects(readAll());
    await setChunk(1, original[1]!);
    assert.deepEqual(await readAll(), expected, 'restored: readable again');
  });

  it('refuses listings that withhold documents or entries this session listed before', async () => {
    const id = ids.get('Schmitt')!;
    const documents = await nurse.records.listDocuments(id);
    const entries = await nurse.records.listEntries(id);
    assert.ok(documents.length > 0);
    // The server (here: its database owner) hides one complete document and one entry.
    const hidden = documents[0]!.id;
    const setStatus = (status: 'uploading' | 'complete') =>
      f.asOwner((trx) => trx.updateTable('documents').set({ status }).where('id', '=', hidden).execute());
    await setStatus('uploading');
    await assert.rejects(nurse.records.listDocuments(id), (error: unknown) => {
      assert.ok(error instanceof ListRollbackError);
      assert.deepEqual(
        [error.code, error.list, error.seenCount, error.servedCount],
        ['client.rollback', 'documents', documents.length, documents.length - 1],
      );
      return true;
    });
    await setStatus('complete');
    assert.equal((await nurse.records.listDocuments(id)).length, documents.length);

    await nurse.records.addEntry(id, { kind: 'note', text: 'Befund besprochen.' });
    assert.equal((await nurse.records.listEntries(id)).length, entries.length + 1);
    const [entry] = await f.asOwner((trx) =>
      trx.selectFrom('clinical_entries').selectAll().where('patient_id', '=', id).execute(),
    );
    await f.asOwner((trx) => trx.deleteFrom('clinical_entries').where('id', '=', entry!.id).execute());
    await assert.rejects(
      nurse.records.listEntries(id),
      (error: unknown) => error instanceof ListRollbackError && error.list === 'entries',
    );
    await f.asOwner((trx) =>
      trx
        .insertInto('clinical_entries')
        .values({ ...entry!, body: JSON.stringify(entry!.body) })
        .execute(),
    );
    assert.equal((await nurse.records.listEntries(id)).length, entries.length + 1);
  });

  it('erases a patient: gone for everyone, tombstone in the directory, audited', async () => {
    const id = ids.get('Meier')!;
    await nurse.records.erasePatient(id, { category: 'consent_withdrawn' });
    await assert.rejects(doctor.records.getPatient(id), rejectsWith('records.not_found'));
    const directory = await doctor.records.directory();
    await directory.refresh();
    assert.equal(directory.size, 2);
    assert.deepEqual(directory.search('Meier'), []);
    assert.deepEqual(await doctor.records.findByKvnr('A123456780'), []);
    const [erasure] = await doctor.records.erasures();
    assert.deepEqual(
      { ...erasure, erasedAt: undefined },
      {
        patientId: id,
        erasedAt: undefined,
        erasedBy: { userId: nurse.userId, username: 'm.lehmann' },
        category: 'consent_withdrawn',
        underRetention: false,
      },
    );
    const verified = await doctor.verifyAuditTrail();
    assert.equal(verified.ok, true, JSON.stringify(verified));
  });

  it('drops the decrypted patient directory when the session locks', async () => {
    const directory = await doctor.records.directory();
    assert.ok(directory.size > 0);
    doctor.lock();
    assert.equal(directory.size, 0, 'no decrypted entry stays in memory');
    assert.deepEqual(directory.search('Müller'), []);
  });
});
