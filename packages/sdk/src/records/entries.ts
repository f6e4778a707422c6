import { type DataKey, DecryptionError, openField, sealField } from '@tresor/crypto';
import { Value } from '@sinclair/typebox/value';
import { records as c } from '../contract/index.js';
import { dataKeyForWrite, fetchPatient, fetchPatientAnyVersion, openMaster } from './patients.js';
import { type EntryInput, EntryInputSchema, checkEntry } from './plaintext.js';
import {
  RecordRollbackError,
  checkedListing,
  noteListed,
  noteVersion,
  seenVersion,
} from './record-versions.js';
import { type RecordsContext, call, openDataKey, randomId } from './records-context.js';
import type { ClinicalEntry, PatientVersion } from './types.js';
import type { UserNames } from './user-names.js';

const enc = encodeURIComponent;

function entryField(context: RecordsContext, patientId: string, entryId: string) {
  return { practiceId: context.practiceId, recordId: patientId, field: `entry/${entryId}`, version: 1 };
}

async function openEntry(
  context: RecordsContext,
  dataKey: DataKey,
  names: UserNames,
  view: c.EntryView,
): Promise<ClinicalEntry> {
  const entry = await openField(dataKey, view.body, entryField(context, view.patientId, view.id));
  if (!Value.Check(EntryInputSchema, entry)) throw new DecryptionError();
  return { ...entry, id: view.id, createdAt: view.createdAt, author: await names.ref(view.authorId) };
}

export async function addEntry(
  context: RecordsContext,
  names: UserNames,
  patientId: string,
  entry: EntryInput,
): Promise<ClinicalEntry> {
  checkEntry(entry);
  const dataKey = await dataKeyForWrite(context, await fetchPatient(context, patientId));
  try {
    const id = randomId();
    const body: c.CreateEntryBody = {
      id,
      body: await sealField(dataKey, entryField(context, patientId, id), entry),
    };
    const view = await call(context, 'POST', `/api/v1/patients/${enc(patientId)}/entries`, c.EntryView, body);
    return await openEntry(context, dataKey, names, view);
  } finally {
    dataKey.fill(0);
  }
}

export async function listEntries(
  context: RecordsContext,
  names: UserNames,
  patientId: string,
): Promise<ClinicalEntry[]> {
  const patient = await fetchPatient(context, patientId);
  const entries = await checkedListing(
    context,
    patientId,
    'entries',
    async () =>
      (await call(context, 'GET', `/api/v1/patients/${enc(patientId)}/entries`, c.EntryList)).entries,
  );
  const dataKey = await openDataKey(context, patientId, patient.dataKey);
  try {
    const out: ClinicalEntry[] = [];
    for (const view of entries) out.push(await openEntry(context, dataKey, names, view));
    noteListed(context, patientId, 'entries', out.length);
    return out;
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Every version of the master data. Older versions are what is asked for here, so the record is
 * read without the rollback check, but a history whose newest version is older than one this
 * session saw is refused; the versions opened are remembered (a later read of the current version
 * older than the newest of them is refused, see record-versions.ts).
 */
export async function patientHistory(
  context: RecordsContext,
  names: UserNames,
  patientId: string,
): Promise<PatientVersion[]> {
  const floor = await seenVersion(context, patientId);
  const patient = await fetchPatientAnyVersion(context, patientId);
  const { versions } = await call(
    context,
    'GET',
    `/api/v1/patients/${enc(patientId)}/versions`,
    c.PatientVersions,
  );
  // A history cut short before the newest version this session saw is a rollback too.
  const newest = Math.max(0, ...versions.map((v) => v.version));
  if (newest < floor) throw new RecordRollbackError(patientId, floor, newest);
  const dataKey = await openDataKey(context, patientId, patient.dataKey);
  try {
    const out: PatientVersion[] = [];
    for (const v of versions) {
      out.push({
        version: v.version,
        master: await openMaster(context, dataKey, patientId, v.version, v.master),
        changedAt: v.changedAt,
        changedBy: await names.ref(v.changedBy),
      });
      noteVersion(context, patientId, v.version);
    }
    return out;
  } finally {
    dataKey.fill(0);
  }
}
