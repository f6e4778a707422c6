import {
  type DataKey,
  DecryptionError,
  type Envelope,
  generateDataKey,
  openField,
  sealField,
  wrapDataKey,
} from '@tresor/crypto';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { records as c } from '../contract/index.js';
import { rewrapDataKey } from '../accounts/rewrap-data-keys.js';
import { type PatientMaster, PatientMasterSchema, checkMaster } from './plaintext.js';
import {
  type RecordsContext,
  blindIndexer,
  call,
  directoryCipher,
  openDataKey,
  practiceKey,
  randomId,
} from './records-context.js';
import { currentVersion, noteVersion } from './record-versions.js';
import type { Patient } from './types.js';

const enc = encodeURIComponent;
const Ok = Type.Object({ ok: Type.Literal(true) });

export function masterField(context: RecordsContext, id: string, version: number) {
  return { practiceId: context.practiceId, recordId: id, field: 'master', version };
}

/** Blind index and directory entry of a patient under the current practice-key version. */
export async function searchMaterial(context: RecordsContext, id: string, master: PatientMaster) {
  const keys = context.keys();
  const version = keys.currentPkVersion;
  const values = (await blindIndexer(keys, version)).values({
    familyName: master.familyName,
    birthDate: master.birthDate,
    kvnr: master.insurance?.kvnr,
  });
  const entry = {
    givenName: master.givenName,
    familyName: master.familyName,
    birthDate: master.birthDate,
    ...(master.insurance?.kvnr === undefined ? {} : { kvnr: master.insurance.kvnr }),
  };
  return {
    blindIndex: { pkVersion: version, kvnr: values.kvnr ?? null, nameDob: values.nameDob },
    directory: await directoryCipher(context).seal(version, id, entry),
  };
}

/** Decrypts and checks a patient's master data; a wrong shape counts as unreadable. */
export async function openMaster(
  context: RecordsContext,
  dataKey: DataKey,
  id: string,
  version: number,
  sealed: Envelope,
): Promise<PatientMaster> {
  const master = await openField(dataKey, sealed, masterField(context, id, version));
  if (!Value.Check(PatientMasterSchema, master)) throw new DecryptionError();
  return master;
}

/** Opens a record's current version; the version, now verified, is remembered (see record-versions.ts). */
export async function toPatient(context: RecordsContext, view: c.PatientView): Promise<Patient> {
  const dataKey = await openDataKey(context, view.id, view.dataKey);
  try {
    const master = await openMaster(context, dataKey, view.id, view.version, view.master);
    noteVersion(context, view.id, view.version);
    return {
      id: view.id,
      version: view.version,
      master,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      ...(view.retentionUntil === null ? {} : { retentionUntil: view.retentionUntil }),
    };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * The record as the server stores it now. Refused (RecordRollbackError) if it answers with an
 * older version than this session opened before; `fetchPatientAnyVersion` for a history read.
 */
export function fetchPatient(context: RecordsContext, id: string): Promise<c.PatientView> {
  return currentVersion(context, id, () => fetchPatientAnyVersion(context, id));
}

/** The record without the rollback check: for its data key only, where older versions are asked for. */
export function fetchPatientAnyVersion(context: RecordsContext, id: string): Promise<c.PatientView> {
  return call(context, 'GET', `/api/v1/patients/${enc(id)}`, c.PatientView);
}

/**
 * The record's data key for a write. If it is still wrapped by an older practice-key version, it
 * is re-wrapped under the current one first (lazy re-wrap, compare-and-swap on the server).
 */
export async function dataKeyForWrite(context: RecordsContext, view: c.PatientView): Promise<DataKey> {
  const next = await rewrapDataKey(context.keys(), context.practiceId, {
    owner: view.id,
    wrapped: view.dataKey,
  });
  if (next !== undefined) {
    await call(context, 'PUT', `/api/v1/patients/${enc(view.id)}/data-key`, c.ReplaceDataKeyReply, {
      previous: view.dataKey,
      next,
    });
  }
  return openDataKey(context, view.id, view.dataKey);
}

/** Everything a new patient is stored as: fresh id and data key, sealed master data, search material. */
async function newPatientBody(context: RecordsContext, master: PatientMaster): Promise<c.CreatePatientBody> {
  checkMaster(master);
  const keys = context.keys();
  const id = randomId();
  const dataKey = generateDataKey();
  try {
    const record = { practiceId: context.practiceId, recordId: id };
    const current = keys.currentPkVersion;
    return {
      id,
      dataKey: await wrapDataKey(practiceKey(keys, current), current, dataKey, record),
      master: await sealField(dataKey, masterField(context, id, 1), master),
      ...(await searchMaterial(context, id, master)),
    };
  } finally {
    dataKey.fill(0);
  }
}

export async function createPatient(context: RecordsContext, master: PatientMaster): Promise<Patient> {
  const body = await newPatientBody(context, master);
  return toPatient(
    context,
    await currentVersion(context, body.id, () =>
      call(context, 'POST', '/api/v1/patients', c.PatientView, body),
    ),
  );
}

/** Creates many patients, 200 per request (each request one transaction); returns their ids in order. */
export async function importPatients(
  context: RecordsContext,
  masters: readonly PatientMaster[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < masters.length; i += 200) {
    const patients = await Promise.all(masters.slice(i, i + 200).map((m) => newPatientBody(context, m)));
    const reply = await call(context, 'POST', '/api/v1/patients/import', c.ImportPatientsReply, { patients });
    ids.push(...reply.ids);
  }
  return ids;
}

export async function updatePatient(
  context: RecordsContext,
  id: string,
  master: PatientMaster,
  expectedVersion: number,
): Promise<Patient> {
  checkMaster(master);
  const current = await fetchPatient(context, id);
  const dataKey = await dataKeyForWrite(context, current);
  try {
    const body: c.UpdatePatientBody = {
      expectedVersion,
      master: await sealField(dataKey, masterField(context, id, expectedVersion + 1), master),
      ...(await searchMaterial(context, id, master)),
    };
    return await toPatient(
      context,
      await currentVersion(context, id, () =>
        call(context, 'PUT', `/api/v1/patients/${enc(id)}`, c.PatientView, body),
      ),
    );
  } finally {
    dataKey.fill(0);
  }
}

/** Re-computes blind index and directory entry under the current key version (after a rotation). */
export async function reindexPatient(context: RecordsContext, id: string): Promise<void> {
  const patient = await toPatient(context, await fetchPatient(context, id));
  await call(
    context,
    'PUT',
    `/api/v1/patients/${enc(id)}/index`,
    Ok,
    await searchMaterial(context, id, patient.master),
  );
}
