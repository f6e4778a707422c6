import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DirectoryCipher, type Envelope, type PracticeKey, generatePracticeKey } from '@tresor/crypto';
import { HttpClient } from '../http.js';
import { PatientDirectory } from './directory.js';
import { MemoryRecordVersionMemory } from './record-version-memory.js';
import { DirectoryRollbackError } from './record-versions.js';
import type { PracticeKeys } from './records-context.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const anna = '0b4e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const bernd = '1c5f8a3b-2d4e-4f6a-9b0c-1d2e3f4a5b6c';

/** A server with a fixed directory feed: every change at its sequence number. */
function feedServer(changes: { patientId: string; seq: number; entry: Envelope | null }[]) {
  const requests: string[] = [];
  const fetch = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    requests.push(`${url.pathname}${url.search}`);
    const since = Number(url.searchParams.get('since'));
    const page = changes.filter((c) => c.seq > since);
    return Promise.resolve(Response.json({ changes: page, cursor: page.at(-1)?.seq ?? since, more: false }));
  };
  return { http: new HttpClient({ baseUrl: 'http://tresor.test', fetch }), requests };
}

describe('PatientDirectory', () => {
  it('keeps entries it cannot open yet and reads them on a later refresh once the key is there', async () => {
    const v1 = generatePracticeKey();
    const v2 = generatePracticeKey();
    const sealer = new DirectoryCipher(
      practiceId,
      new Map<number, PracticeKey>([
        [1, v1],
        [2, v2],
      ]),
    );
    const server = feedServer([
      {
        patientId: anna,
        seq: 1,
        entry: await sealer.seal(1, anna, { givenName: 'Anna', familyName: 'Roth', birthDate: '1970-02-03' }),
      },
      {
        patientId: bernd,
        seq: 2,
        entry: await sealer.seal(2, bernd, {
          givenName: 'Bernd',
          familyName: 'Graf',
          birthDate: '1961-07-08',
        }),
      },
    ]);
    // This device holds only version 1 at first (version 2 has not been handed over yet).
    let keys: PracticeKeys = { practiceKeys: new Map([[1, v1]]), currentPkVersion: 1 };
    const directory = new PatientDirectory({
      http: server.http,
      practiceId,
      token: () => 'session-token',
      keys: () => keys,
    });
    await directory.refresh();
    assert.deepEqual(
      directory.list().map((hit) => hit.familyName),
      ['Roth'],
    );
    assert.deepEqual(directory.unreadable, [bernd]);
    assert.equal(directory.cursor, 2);

    await directory.refresh();
    assert.deepEqual(directory.unreadable, [bernd], 'still no key: still unreadable');

    keys = {
      practiceKeys: new Map([
        [1, v1],
        [2, v2],
      ]),
      currentPkVersion: 2,
    };
    await directory.refresh();
    assert.deepEqual(directory.unreadable, []);
    assert.deepEqual(
      directory.search('Graf').map((hit) => hit.id),
      [bernd],
    );
    assert.deepEqual(server.requests, [
      '/api/v1/directory?since=0&limit=5000',
      '/api/v1/directory?since=2&limit=5000',
      '/api/v1/directory?since=2&limit=5000',
    ]);
  });

  it('refuses a full download with fewer patients or an older position than this device saw', async () => {
    const key = generatePracticeKey();
    const sealer = new DirectoryCipher(practiceId, new Map<number, PracticeKey>([[1, key]]));
    const keys: PracticeKeys = { practiceKeys: new Map([[1, key]]), currentPkVersion: 1 };
    const annaEntry = {
      patientId: anna,
      seq: 1,
      entry: await sealer.seal(1, anna, { givenName: 'Anna', familyName: 'Roth', birthDate: '1970-02-03' }),
    };
    // Bernd was erased: his tombstone stays in the feed and counts.
    const berndErased = { patientId: bernd, seq: 3, entry: null };
    const device = new MemoryRecordVersionMemory();
    const directoryOn = (feed: Parameters<typeof feedServer>[0], versionMemory?: MemoryRecordVersionMemory) =>
      new PatientDirectory({
        http: feedServer(feed).http,
        practiceId,
        token: () => 'session-token',
        keys: () => keys,
        ...(versionMemory === undefined ? {} : { versionMemory }),
      });

    const first = directoryOn([annaEntry, berndErased], device);
    await first.refresh();
    assert.equal(first.size, 1);
    assert.equal(await device.load(practiceId, 'directory/patients'), 2);
    assert.equal(await device.load(practiceId, 'directory/cursor'), 3);

    const isRollback = (error: unknown) => {
      assert.ok(error instanceof DirectoryRollbackError);
      assert.equal(error.code, 'client.rollback');
      return true;
    };
    // A later session on this device: the tombstone withheld.
    const withheld = directoryOn([annaEntry], device);
    await assert.rejects(withheld.refresh(), isRollback);
    assert.equal(withheld.size, 0, 'nothing of the refused download is kept');
    // Every patient, but an older state of the feed (Bernd's erasure not yet there).
    await assert.rejects(directoryOn([annaEntry, { ...berndErased, seq: 2 }], device).refresh(), isRollback);
    // Another device knows nothing (the limit); the same or a newer feed is fine here.
    assert.equal((await refreshed(directoryOn([annaEntry]))).size, 1);
    assert.equal((await refreshed(directoryOn([annaEntry, berndErased], device))).size, 1);
  });
});

async function refreshed(directory: PatientDirectory): Promise<PatientDirectory> {
  await directory.refresh();
  return directory;
}
