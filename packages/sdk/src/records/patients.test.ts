import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatePracticeKey } from '@tresor/crypto';
import { TresorApiError } from '../api-error.js';
import type { records as c } from '../contract/index.js';
import { HttpClient } from '../http.js';
import { MemoryRecordVersionMemory, type RecordVersionMemory } from './record-version-memory.js';
import { ListRollbackError, RecordRollbackError } from './record-versions.js';
import { RecordsClient } from './records-client.js';
import type { PracticeKeys } from './records-context.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const userId = '0b4e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const keys: PracticeKeys = { practiceKeys: new Map([[1, generatePracticeKey()]]), currentPkVersion: 1 };
const anna = { givenName: 'Anna', familyName: 'Roth', birthDate: '1970-02-03', sex: 'female' } as const;

/**
 * A records server keeping every version of each patient's master data, validly sealed by the
 * client. `serve` picks the version a read of the current record answers with: by default the
 * newest; a rolled-back server answers with an older one. `hold` delays the next such read.
 */
function recordsServer() {
  const versions = new Map<string, c.PatientView[]>();
  const state: {
    serve: number | undefined;
    hold: Promise<void> | undefined;
    /** A history cut short after this many versions. */
    historyUpTo: number | undefined;
    /** Clinical entry listings cut short after this many entries (withheld ones). */
    entriesUpTo: number | undefined;
  } = { serve: undefined, hold: undefined, historyUpTo: undefined, entriesUpTo: undefined };
  const entries = new Map<string, c.EntryView[]>();
  const now = '2025-01-02T03:04:05.000Z';
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const method = init?.method ?? 'GET';
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Pick<
      c.PatientView,
      'id' | 'dataKey' | 'master'
    >;
    if (method === 'POST' && path === '/api/v1/patients') {
      const view: c.PatientView = {
        id: body.id,
        version: 1,
        dataKey: body.dataKey,
        master: body.master,
        createdAt: now,
        createdBy: userId,
        updatedAt: now,
        updatedBy: userId,
        lastTreatment: null,
        retentionUntil: null,
      };
      versions.set(view.id, [view]);
      return Response.json(view);
    }
    if (path === '/api/v1/practice/members') {
      return Response.json({ currentPkVersion: 1, members: [] });
    }
    const entryPath = /^\/api\/v1\/patients\/([^/]+)\/entries$/.exec(path);
    if (entryPath !== null) {
      const patientId = entryPath[1]!;
      const list = entries.get(patientId) ?? [];
      entries.set(patientId, list);
      if (method === 'POST') {
        const added = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Pick<
          c.EntryView,
          'id' | 'body'
        >;
        const view: c.EntryView = { ...added, patientId, authorId: userId, createdAt: now };
        list.push(view);
        return Response.json(view, { status: 201 });
      }
      return Response.json({ entries: list.slice(0, state.entriesUpTo) });
    }
    const match = /^\/api\/v1\/patients\/([^/]+)(\/versions)?$/.exec(path);
    const stored = versions.get(match?.[1] ?? '');
    if (match === null || stored === undefined) {
      return Response.json(
        { error: { code: 'records.not_found', message: 'no such patient' } },
        { status: 404 },
      );
    }
    const newest = stored.at(-1)!;
    if (match[2] !== undefined) {
      return Response.json({
        versions: stored.slice(0, state.historyUpTo).map((v) => ({
          version: v.version,
          master: v.master,
          changedAt: v.updatedAt,
          changedBy: v.updatedBy,
        })),
      });
    }
    if (method === 'PUT') {
      const next = { ...newest, version: newest.version + 1, master: body.master };
      stored.push(next);
      return Response.json(next);
    }
    const hold = state.hold;
    state.hold = undefined;
    const answer = stored[(state.serve ?? newest.version) - 1]!;
    await hold;
    return Response.json(answer);
  };
  /** A session's records client; with `versionMemory`, on a device that remembers versions. */
  const records = (versionMemory?: RecordVersionMemory) =>
    new RecordsClient({
      http: new HttpClient({ baseUrl: 'http://tresor.test', fetch }),
      practiceId,
      token: () => 'session-token',
      keys: () => keys,
      ...(versionMemory === undefined ? {} : { versionMemory }),
    });
  return { state, records };
}

const isRollback = (id: string, seen: number, served: number) => (error: unknown) => {
  assert.ok(error instanceof RecordRollbackError);
  assert.ok(error instanceof TresorApiError);
  assert.equal(error.code, 'client.rollback');
  assert.deepEqual([error.recordId, error.seenVersion, error.servedVersion], [id, seen, served]);
  return true;
};

describe('records: a server answering with an older version of a record (rollback)', () => {
  it('is refused when this session has seen a newer version', async () => {
    const server = recordsServer();
    const records = server.records();
    const created = await records.createPatient(anna);
    await records.updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);
    assert.equal((await records.getPatient(created.id)).version, 2);

    server.state.serve = 1;
    await assert.rejects(records.getPatient(created.id), isRollback(created.id, 2, 1));
    // Also where the record is read for its data key (a new entry, a document, an update).
    await assert.rejects(
      records.updatePatient(created.id, { ...anna, familyName: 'Weber' }, 2),
      isRollback(created.id, 2, 1),
    );
    // An explicit history read still lists the older versions.
    const history = await records.patientHistory(created.id);
    assert.deepEqual(
      history.map((v) => [v.version, v.master.familyName]),
      [
        [1, 'Roth'],
        [2, 'Roth-Weber'],
      ],
    );
    server.state.serve = undefined;
    assert.equal((await records.getPatient(created.id)).master.familyName, 'Roth-Weber');
  });

  it('is refused after a history read showed the newer version', async () => {
    const server = recordsServer();
    const writer = server.records();
    const created = await writer.createPatient(anna);
    await writer.updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);

    const reader = server.records();
    assert.equal((await reader.patientHistory(created.id)).length, 2);
    server.state.serve = 1;
    await assert.rejects(reader.getPatient(created.id), isRollback(created.id, 2, 1));
  });

  it('refuses a history cut short before the newest version this session saw', async () => {
    const server = recordsServer();
    const records = server.records();
    const created = await records.createPatient(anna);
    await records.updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);
    server.state.historyUpTo = 1;
    await assert.rejects(records.patientHistory(created.id), isRollback(created.id, 2, 1));
    server.state.historyUpTo = undefined;
    assert.equal((await records.patientHistory(created.id)).length, 2);
  });

  it('is not detected by a fresh session on a device that remembers nothing (the limit)', async () => {
    const server = recordsServer();
    const created = await server.records().createPatient(anna);
    await server.records().updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);
    server.state.serve = 1;
    assert.equal((await server.records().getPatient(created.id)).version, 1);
  });

  it('is refused by a later session on a device that remembers the versions it opened', async () => {
    const server = recordsServer();
    const device = new MemoryRecordVersionMemory();
    const created = await server.records(device).createPatient(anna);
    await server.records(device).updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);
    assert.equal(await device.load(practiceId, created.id), 2);

    server.state.serve = 1;
    await assert.rejects(server.records(device).getPatient(created.id), isRollback(created.id, 2, 1));
    server.state.historyUpTo = 1;
    await assert.rejects(server.records(device).patientHistory(created.id), isRollback(created.id, 2, 1));
    assert.equal(await device.load(practiceId, created.id), 2, 'never lowered');
    // Another device knows nothing.
    assert.equal((await server.records(new MemoryRecordVersionMemory()).getPatient(created.id)).version, 1);
  });

  it('counts a memory that cannot be read as empty, and a failing save does not fail the read', async () => {
    const server = recordsServer();
    const broken: RecordVersionMemory = {
      load: () => Promise.reject(new Error('storage gone')),
      save: () => Promise.reject(new Error('storage gone')),
    };
    const records = server.records(broken);
    const created = await records.createPatient(anna);
    await records.updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);
    assert.equal((await records.getPatient(created.id)).version, 2);
    server.state.serve = 1;
    await assert.rejects(
      records.getPatient(created.id),
      isRollback(created.id, 2, 1),
      'the session still knows',
    );
  });

  it('does not count an answer to a read sent before the newer version was seen', async () => {
    const server = recordsServer();
    const records = server.records();
    const created = await records.createPatient(anna);
    let release: (() => void) | undefined;
    server.state.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The read is answered with version 1 (current when it was sent), after the update's answer.
    const earlier = records.getPatient(created.id);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await records.updatePatient(created.id, { ...anna, familyName: 'Roth-Weber' }, 1);
    release?.();
    assert.equal((await earlier).version, 1);
    assert.equal((await records.getPatient(created.id)).version, 2);
  });
});

describe('records: a server withholding clinical entries', () => {
  const note = { kind: 'note', text: 'Kontrolle in drei Monaten' } as const;
  const isWithheld = (id: string, seen: number, served: number) => (error: unknown) => {
    assert.ok(error instanceof ListRollbackError);
    assert.deepEqual(
      [error.recordId, error.list, error.seenCount, error.servedCount],
      [id, 'entries', seen, served],
    );
    assert.equal(error.code, 'client.rollback');
    return true;
  };

  it('is refused once this session or this device listed more entries', async () => {
    const server = recordsServer();
    const device = new MemoryRecordVersionMemory();
    const session = server.records(device);
    const created = await session.createPatient(anna);
    for (let i = 0; i < 3; i++) await session.addEntry(created.id, note);
    assert.equal((await session.listEntries(created.id)).length, 3);
    assert.equal(await device.load(practiceId, `${created.id}/entries`), 3);

    server.state.entriesUpTo = 2;
    await assert.rejects(session.listEntries(created.id), isWithheld(created.id, 3, 2));
    await assert.rejects(server.records(device).listEntries(created.id), isWithheld(created.id, 3, 2));
    // Another device knows nothing (the limit), and more entries than seen are fine.
    assert.equal((await server.records().listEntries(created.id)).length, 2);
    server.state.entriesUpTo = undefined;
    await session.addEntry(created.id, note);
    assert.equal((await session.listEntries(created.id)).length, 4);
  });
});
