import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AccountSession, HttpClient, MemoryDeviceKeyStore, createPractice, login } from '@tresor/sdk';
import { dumpRows } from '../testing/database-dump.js';
import { type TestServer, createTestServer } from '../testing/test-server.js';
import { TestClock, totpCode } from '../testing/totp-codes.js';

/** Every request body as text: JSON as it is, binary bodies (document chunks) as latin1. */
function recordingFetch(bodies: string[]): typeof globalThis.fetch {
  return async (input, init) => {
    const body = init?.body;
    if (typeof body === 'string') bodies.push(body);
    else if (body instanceof Uint8Array) bodies.push(Buffer.from(body).toString('latin1'));
    else if (body !== undefined && body !== null) bodies.push(`<unrecorded ${typeof body} body>`);
    return globalThis.fetch(input, init);
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

/**
 * The proof of zero knowledge for records: patients, edits, entries, a multi-chunk document,
 * directory sync, local search and blind-index lookups, erasure. Every request body, every stored
 * row and every blob file is searched for the patient data the clients handled.
 */
describe('zero knowledge: patient records, documents and search', () => {
  const clock = new TestClock();
  let server: TestServer;
  let session: AccountSession;
  const bodies: string[] = [];
  const secrets = new Map<string, string>();
  const keep = (name: string, value: string) => secrets.set(name, value);

  const marker = 'Befund: Herzinsuffizienz NYHA II, Ejektionsfraktion 38 %. ';
  const documentText = marker.repeat(Math.ceil((2.5 * 1024 * 1024) / marker.length));

  before(async () => {
    server = await createTestServer({}, { clock: clock.now });
    const http = new HttpClient({ baseUrl: server.url, fetch: recordingFetch(bodies) });
    const devices = new MemoryDeviceKeyStore();
    await createPractice(http, {
      practiceName: 'Praxis am Dom',
      username: 'a.hartmann',
      password: 'Hartmann sagt: Domplatte 1248',
      deviceName: 'Empfang',
      devices,
    });
    let secret = '';
    session = await login(http, {
      username: 'a.hartmann',
      password: 'Hartmann sagt: Domplatte 1248',
      devices,
      deviceName: 'Empfang',
      secondFactor: async (prompt) => {
        if (prompt.kind === 'totp_enrolment') secret = prompt.secret;
        clock.advance(30_000);
        return totpCode(secret, clock.now());
      },
    });
  });
  after(() => server.close());

  it('runs records, documents and search', async () => {
    const records = session.records;
    const erika = await records.createPatient({
      givenName: 'Erika',
      familyName: 'Mustermann-Größer',
      birthDate: '1964-08-12',
      sex: 'female',
      address: { street: 'Heidestraße 17', postalCode: '51147', city: 'Köln-Porz' },
      contact: { phone: '+49 2203 987654', email: 'erika.mustermann@example.org' },
      insurance: { kvnr: 'T555666777', insurerName: 'Techniker Krankenkasse', ik: '101575519', type: 'gkv' },
    });
    const master: [string, string][] = [
      ['given name', 'Erika'],
      ['family name', 'Mustermann-Größer'],
      ['normalised family name', 'mustermanngroesser'],
      ['family name (JSON-escaped)', JSON.stringify('Mustermann-Größer').slice(1, -1)],
      ['date of birth', '1964-08-12'],
      ['date of birth (German)', '12.08.1964'],
      ['street', 'Heidestraße 17'],
      ['phone', '2203 987654'],
      ['email', 'erika.mustermann@example.org'],
      ['KVNR', 'T555666777'],
      ['IK', '101575519'],
      ['insurer', 'Techniker Krankenkasse'],
    ];
    for (const [name, value] of master) keep(name, value);
    await records.updatePatient(erika.id, { ...erika.master, givenName: 'Erika Johanna' }, 1);
    keep('edited given name', 'Johanna');
    await records.addEntry(erika.id, {
      kind: 'note',
      text: 'Patientin klagt über Belastungsdyspnoe seit März.',
    });
    keep('note text', 'Belastungsdyspnoe');
    await records.addEntry(erika.id, { kind: 'diagnosis', icd10: 'I50.12', text: 'Linksherzinsuffizienz' });
    keep('ICD-10 code', 'I50.12');
    keep('diagnosis text', 'Linksherzinsuffizienz');
    await records.addEntry(erika.id, { kind: 'medication', name: 'Ramipril 5 mg', dosage: '1-0-0' });
    keep('medication', 'Ramipril');

    const bytes = new TextEncoder().encode(documentText);
    const document = await records.uploadDocument(erika.id, {
      name: 'Echokardiographie Mustermann.pdf',
      type: 'application/pdf',
      size: bytes.length,
      stream: () => new Blob([bytes]).stream(),
    });
    keep('document name', 'Echokardiographie');
    keep('document content', marker);
    const { stream } = await records.downloadDocument(document.id);
    assert.equal(await new Response(stream).text(), documentText);

    const other = await records.createPatient({
      givenName: 'Hans',
      familyName: 'Meyer',
      birthDate: '1950-01-30',
      sex: 'male',
    });
    keep('second patient', 'Meyer');
    keep('second date of birth', '1950-01-30');
    const directory = await records.directory();
    assert.deepEqual(
      directory.search('Maier').map((h) => h.id),
      [other.id],
    );
    assert.deepEqual(
      directory.search('12.08.1964').map((h) => h.id),
      [erika.id],
    );
    assert.deepEqual(
      (await records.findByKvnr('T555666777')).map((p) => p.id),
      [erika.id],
    );
    assert.deepEqual(
      (await records.findBySurnameAndBirthDate('Meyer', '1950-01-30')).map((p) => p.id),
      [other.id],
    );
    await records.erasePatient(other.id, {
      reason: 'Widerruf der Einwilligung durch Herrn Meyer',
      category: 'consent_withdrawn',
    });
    keep('erasure reason', 'Widerruf der Einwilligung');
  });

  it('found no patient data in request bodies, stored rows or blob files', async () => {
    const rows = await dumpRows(server.database);
    const blobFiles = await filesUnder(join(server.storage.dataDir, 'blobs'));
    assert.ok(blobFiles.length >= 3, `${blobFiles.length} blob files`);
    const blobs = (await Promise.all(blobFiles.map((path) => readFile(path)))).map((b) =>
      b.toString('latin1'),
    );
    const places: Record<string, string> = {
      'request bodies': bodies.join('\n'),
      'stored rows': rows,
      'blob files': blobs.join('\n'),
    };
    assert.ok(bodies.length > 10 && rows.includes('patient_versions'), `recorded ${bodies.length} bodies`);
    assert.ok(rows.includes('Praxis am Dom'), 'the search finds what is stored in clear (the practice name)');
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of secrets) {
        const latin1 = Buffer.from(value, 'utf8').toString('latin1');
        if (text.includes(value) || text.includes(latin1)) leaks.push(`${name} in ${where}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
