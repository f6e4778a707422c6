import { TresorApiError } from '../api-error.js';
import type { RecordsContext } from './records-context.js';

/**
 * Rollback detection for the current version of a record, within one session. A record's master
 * data is sealed with its version number in the AAD (`field:master:v<n>`), so the server cannot
 * relabel an old version as a new one; but it can answer a read with an older version, validly
 * sealed (a replay). The records client therefore remembers, per record, the highest version it
 * opened in this session (a current read, a write's answer, a history read), and refuses a read
 * of the current version that answers with a lower one.
 *
 * Within a session this lives in memory, per records context. With a `RecordVersionMemory`
 * (the web app keeps one in IndexedDB) the device also remembers across sessions, so a later
 * login on the same device refuses older answers too. A device without it (another device, a
 * browser whose site data was cleared) knows nothing and accepts whatever validly sealed version
 * the server serves first. Besides the master data's version, the number of clinical entries
 * and of complete documents listed is watched the same way (both are only ever added, so a listing
 * with fewer than one seen before withholds some: `ListRollbackError`), and so are the patient
 * directory's number of patients (erased ones stay as tombstones) and feed position at a full
 * download (`DirectoryRollbackError`, see directory.ts).
 */
const highest = new WeakMap<RecordsContext, Map<string, number>>();

/** A read of a record's current version answered with an older version than this session saw. */
export class RecordRollbackError extends TresorApiError {
  constructor(
    readonly recordId: string,
    /** The highest version this session (or this device) opened before the read was sent. */
    readonly seenVersion: number,
    /** The version the server answered with. */
    readonly servedVersion: number,
  ) {
    super(
      'client.rollback',
      `The server answered with version ${servedVersion} of record ${recordId}, older than version ${seenVersion} seen before (a rollback?); refused.`,
      0,
    );
  }
}

/** The lists of a record that only ever grow (until the whole record is erased). */
export type RecordList = 'entries' | 'documents';

/**
 * A listing of a record's clinical entries or (complete) documents with fewer than this session
 * or device listed before: both are only ever added, so the server withholds some.
 */
export class ListRollbackError extends TresorApiError {
  constructor(
    readonly recordId: string,
    readonly list: RecordList,
    /** The most items this session (or this device) listed before the read was sent. */
    readonly seenCount: number,
    /** The number of items the server answered with. */
    readonly servedCount: number,
  ) {
    super(
      'client.rollback',
      `The server listed ${servedCount} ${list} of record ${recordId}, fewer than the ${seenCount} seen before (withheld?); refused.`,
      0,
    );
  }
}

/**
 * A full download of the patient directory with fewer patients (erased ones count, as their
 * tombstones stay) or an older feed position than this session or device saw before.
 */
export class DirectoryRollbackError extends TresorApiError {
  constructor(
    readonly seen: { readonly patients: number; readonly cursor: number },
    readonly served: { readonly patients: number; readonly cursor: number },
  ) {
    super(
      'client.rollback',
      `The server's patient directory has ${served.patients} patients up to position ${served.cursor}, ` +
        `fewer or older than the ${seen.patients} up to ${seen.cursor} seen before (withheld?); refused.`,
      0,
    );
  }
}

/** Where the directory's patient count and feed position are kept (practice-wide). */
export const DIRECTORY_PATIENTS = 'directory/patients';
export const DIRECTORY_CURSOR = 'directory/cursor';

function versionsOf(context: RecordsContext): Map<string, number> {
  let versions = highest.get(context);
  if (versions === undefined) {
    versions = new Map();
    highest.set(context, versions);
  }
  return versions;
}

/** Record ids are UUIDs; a caller may spell one in capitals. */
const key = (recordId: string) => recordId.toLowerCase();

/**
 * Where the number of items of `recordId`'s `list` is kept, next to its version (in the session
 * and in the device's memory, under `<record id>/<list>`): it only grows, as a version does.
 */
const listKey = (recordId: string, list: RecordList) => `${key(recordId)}/${list}`;

/**
 * Sends a listing request for `recordId`'s `list` and refuses (ListRollbackError) an answer with
 * fewer items than listed before the request was sent. Once the items are opened, the caller
 * reports their number with {@link noteListed}.
 */
export async function checkedListing<T>(
  context: RecordsContext,
  recordId: string,
  list: RecordList,
  request: () => Promise<readonly T[]>,
): Promise<readonly T[]> {
  const floor = await seenVersion(context, listKey(recordId, list));
  const items = await request();
  if (items.length < floor) throw new ListRollbackError(recordId, list, floor, items.length);
  return items;
}

/** Remembers that `count` items of `recordId`'s `list` were listed and opened (verified). */
export function noteListed(context: RecordsContext, recordId: string, list: RecordList, count: number): void {
  noteVersion(context, listKey(recordId, list), count);
}

/**
 * The highest version of `recordId` opened in this session or, with a memory, on this device
 * before (0: none). A memory that cannot be read counts as empty.
 */
export async function seenVersion(context: RecordsContext, recordId: string): Promise<number> {
  const inSession = highest.get(context)?.get(key(recordId)) ?? 0;
  const remembered = await context.versionMemory
    ?.load(context.practiceId, key(recordId))
    .catch(() => undefined);
  return Math.max(inSession, remembered ?? 0);
}

/**
 * Remembers that version `version` of `recordId` was opened (verified): in this session, and in
 * the device's memory if there is one (best effort, not awaited).
 */
export function noteVersion(context: RecordsContext, recordId: string, version: number): void {
  const versions = versionsOf(context);
  if (version <= (versions.get(key(recordId)) ?? 0)) return;
  versions.set(key(recordId), version);
  context.versionMemory?.save(context.practiceId, key(recordId), version).catch(() => undefined);
}

/**
 * Sends a request for the current version of `recordId` and refuses (RecordRollbackError) an
 * answer older than the newest version seen before the request was sent. (What was seen only
 * while it was under way is no reason to refuse it: the answer may be older and still honest.)
 */
export async function currentVersion<V extends { readonly id: string; readonly version: number }>(
  context: RecordsContext,
  recordId: string,
  request: () => Promise<V>,
): Promise<V> {
  const floor = await seenVersion(context, recordId);
  const view = await request();
  if (key(view.id) !== key(recordId)) {
    throw new TresorApiError(
      'client.unexpected_response',
      `The server answered a read of record ${recordId} with record ${view.id}; refused.`,
      0,
    );
  }
  if (view.version < floor) throw new RecordRollbackError(recordId, floor, view.version);
  return view;
}
