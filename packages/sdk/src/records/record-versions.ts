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
 * listed is watched the same way (entries are only ever added, so a listing with fewer entries
 * than one seen before withholds some: `EntriesRollbackError`). Documents, the directory and the
 * set of records carry nothing the client could compare, so a server withholding newer ones is
 * not detected here.
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

/** A listing of a record's clinical entries with fewer entries than seen before (withheld ones). */
export class EntriesRollbackError extends TresorApiError {
  constructor(
    readonly recordId: string,
    /** The most entries this session (or this device) listed before the read was sent. */
    readonly seenCount: number,
    /** The number of entries the server answered with. */
    readonly servedCount: number,
  ) {
    super(
      'client.rollback',
      `The server listed ${servedCount} clinical entries of record ${recordId}, fewer than the ${seenCount} seen before (withheld?); refused.`,
      0,
    );
  }
}

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
 * Where the number of `recordId`'s clinical entries listed is kept, next to its version (in the
 * session and in the device's memory): it only grows, as a version does.
 */
export const entryCountKey = (recordId: string) => `${key(recordId)}/entries`;

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
