import { type BlindIndexer, normalizeGermanName, normalizeKvnr } from '@tresor/crypto';
import { records as c } from '../contract/index.js';
import { fetchPatient, toPatient } from './patients.js';
import { isIsoDate } from './plaintext.js';
import { type RecordsContext, blindIndexer, call } from './records-context.js';
import type { Patient } from './types.js';

/**
 * Server-side lookups through the 16-bit blind indexes: the client sends the index value under
 * every practice-key version it holds (rows not yet rebuilt after a rotation still match), gets
 * a bucket of candidate ids, decrypts each candidate and drops the false hits.
 */
async function candidates(
  context: RecordsContext,
  field: 'kvnr' | 'name_dob',
  value: (indexer: BlindIndexer) => number,
): Promise<Patient[]> {
  const keys = context.keys();
  const terms = [];
  for (const version of [...keys.practiceKeys.keys()].sort((a, b) => b - a).slice(0, 32)) {
    terms.push({ pkVersion: version, value: value(await blindIndexer(keys, version)) });
  }
  const { ids } = await call(context, 'POST', '/api/v1/patients/lookup', c.LookupReply, { field, terms });
  const patients: Patient[] = [];
  for (const id of ids) patients.push(await toPatient(context, await fetchPatient(context, id)));
  return patients;
}

export async function findByKvnr(context: RecordsContext, kvnr: string): Promise<Patient[]> {
  const wanted = normalizeKvnr(kvnr);
  if (wanted === undefined) return [];
  const found = await candidates(context, 'kvnr', (indexer) => indexer.kvnr(wanted) ?? 0);
  return found.filter((p) => normalizeKvnr(p.master.insurance?.kvnr ?? '') === wanted);
}

export async function findBySurnameAndBirthDate(
  context: RecordsContext,
  familyName: string,
  birthDate: string,
): Promise<Patient[]> {
  const surname = normalizeGermanName(familyName);
  if (surname.length === 0 || !isIsoDate(birthDate)) return [];
  const found = await candidates(context, 'name_dob', (indexer) => indexer.nameDob(familyName, birthDate));
  return found.filter(
    (p) => normalizeGermanName(p.master.familyName) === surname && p.master.birthDate === birthDate,
  );
}
