import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AccountSession } from '@tresor/sdk';
import { MembersFixture } from '../../testing/members-fixture.js';
import { PgRecordsStore } from './records.store.pg.js';

const DAY = 24 * 60 * 60 * 1000;
const envelope = {
  v: 1,
  alg: 'A256GCM',
  kid: 'dk',
  nonce: 'AAAAAAAAAAAAAAAA',
  ct: 'AAAAAAAAAAAAAAAAAAAAAAAA',
};

/** The daily records maintenance: expired retention listed and audited, abandoned uploads deleted. */
describe('records maintenance job', () => {
  let f: MembersFixture;
  let praxis: AccountSession;
  let other: AccountSession;

  before(async () => {
    f = await MembersFixture.start();
    praxis = await f.found('Praxis Dr. Brandt', 'h.brandt');
    other = await f.found('Praxis Dr. Keller', 'o.keller');
  });
  after(() => f.close());

  const blobCount = async () => {
    const root = join(f.server.storage.dataDir, 'blobs', 'sha256');
    let count = 0;
    for (const prefix of await readdir(root)) count += (await readdir(join(root, prefix))).length;
    return count;
  };
  /** Starts an upload of two chunks and sends only the first: an upload left open. */
  const openUpload = async (session: AccountSession, patientId: string) => {
    const id = randomUUID();
    const created = await f.raw('POST', `/api/v1/patients/${patientId}/documents`, {
      token: session.token,
      body: { id, meta: envelope, size: 1024 * 1024 + 5, chunkSize: 1024 * 1024 },
    });
    assert.equal(created.status, 201);
    const chunk = await fetch(`${f.server.url}/api/v1/documents/${id}/chunks/1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(5 + 28).fill(9),
    });
    assert.equal(chunk.status, 200);
    return id;
  };
  const documentIds = async (session: AccountSession, patientId: string) =>
    (
      (await f.raw('GET', `/api/v1/patients/${patientId}/documents`, { token: session.token })).body as {
        documents: { id: string }[];
      }
    ).documents.map((d) => d.id);
  const auditOf = (practiceId: string) =>
    f.asOwner((trx) =>
      trx
        .selectFrom('audit_entries')
        .select(['action', 'target_id'])
        .where('practice_id', '=', practiceId)
        .where('action', 'in', ['document.upload_abandoned', 'retention.expired_listed'])
        .orderBy('seq')
        .execute(),
    );

  it('deletes uploads left open for more than 7 days with their blobs, and only those', async () => {
    const patient = await praxis.records.createPatient({
      givenName: 'Anna',
      familyName: 'Roth',
      birthDate: '1970-02-03',
      sex: 'female',
    });
    const theirs = await other.records.createPatient({
      givenName: 'Bernd',
      familyName: 'Graf',
      birthDate: '1961-07-08',
      sex: 'male',
    });
    const done = await praxis.records.uploadDocument(patient.id, {
      name: 'befund.txt',
      type: 'text/plain',
      size: 11,
      stream: () => new Blob(['Befund 2026']).stream(),
    });
    const abandoned = await openUpload(praxis, patient.id);
    const blobsBefore = await blobCount();

    const now = await f.server.app.recordsMaintenance.runOnce();
    assert.deepEqual([now.abandonedUploads, now.expiredRecords, now.failedPractices], [0, 0, 0]);
    assert.ok(now.practices >= 2);

    f.clock.advance(8 * DAY);
    const recent = await openUpload(other, theirs.id); // started "now", 8 days later
    const later = await f.server.app.recordsMaintenance.runOnce();
    assert.equal(later.abandonedUploads, 1);
    assert.deepEqual(await documentIds(praxis, patient.id), [done.id]);
    assert.deepEqual(await documentIds(other, theirs.id), [recent]);
    assert.equal(await blobCount(), blobsBefore, 'the abandoned chunk went, the new one came');
    const { stream } = await praxis.records.downloadDocument(done.id);
    assert.equal(await new Response(stream).text(), 'Befund 2026', 'complete documents stay');
    assert.deepEqual(await auditOf(praxis.practiceId), [
      { action: 'document.upload_abandoned', target_id: abandoned },
    ]);
    assert.deepEqual(await auditOf(other.practiceId), []);
  });

  it('keeps an upload completed after the job listed it as abandoned', async () => {
    const patient = await praxis.records.createPatient({
      givenName: 'Dora',
      familyName: 'Lenz',
      birthDate: '1959-04-21',
      sex: 'female',
    });
    const done = await praxis.records.uploadDocument(patient.id, {
      name: 'arztbrief.txt',
      type: 'text/plain',
      size: 14,
      stream: () => new Blob(['Arztbrief 2026']).stream(),
    });
    // The job's transaction listed the upload while it was open and deletes it now, after the
    // client completed it (on PostgreSQL both run at once; here one after the other).
    const store = new PgRecordsStore(f.server.database.db);
    const deleted = await store.inPractice(praxis.practiceId, (tx) => tx.deleteUpload(done.id));
    assert.equal(deleted, undefined, 'nothing deleted');
    const { stream } = await praxis.records.downloadDocument(done.id);
    assert.equal(await new Response(stream).text(), 'Arztbrief 2026');
  });

  it('lists records past their retention period in the audit trail, without erasing them', async () => {
    const patient = await other.records.createPatient({
      givenName: 'Clara',
      familyName: 'Voigt',
      birthDate: '1948-11-30',
      sex: 'female',
    });
    await f.asOwner((trx) =>
      trx
        .updateTable('patients')
        .set({ retention_until: '2016-12-31' })
        .where('id', '=', patient.id)
        .execute(),
    );
    const summary = await f.server.app.recordsMaintenance.runOnce();
    assert.equal(summary.expiredRecords, 1);
    assert.deepEqual(
      (await other.records.expiredRetention()).map((r) => r.id),
      [patient.id],
    );
    assert.deepEqual(await auditOf(other.practiceId), [
      { action: 'retention.expired_listed', target_id: other.practiceId },
    ]);
    assert.equal(
      (await other.records.getPatient(patient.id)).id,
      patient.id,
      'still there: a person decides',
    );
  });
});
