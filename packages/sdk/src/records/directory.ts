import { DecryptionError, pkVersionOfDirectoryKid } from '@tresor/crypto';
import { Value } from '@sinclair/typebox/value';
import { records as c } from '../contract/index.js';
import { DirectoryEntrySchema } from './plaintext.js';
import { type RecordsContext, call, directoryCipher } from './records-context.js';
import {
  DIRECTORY_CURSOR,
  DIRECTORY_PATIENTS,
  DirectoryRollbackError,
  noteVersion,
  seenVersion,
} from './record-versions.js';
import { DirectoryIndex, type IndexedEntry, indexEntry } from './directory-search.js';
import type { DirectoryHit } from './types.js';

const PAGE = 5000;

type SealedEntry = NonNullable<c.DirectoryChange['entry']>;

/**
 * The practice's patient directory, kept on this device: downloaded once as encrypted entries,
 * then brought up to date incrementally (`refresh()` asks only for what changed since the last
 * cursor; erased patients arrive as tombstones). Searches run locally and synchronously.
 * Decrypted names live in memory only; call `clear()` when the session is locked.
 *
 * Patients are only ever added (an erased one stays as a tombstone) and the feed position only
 * grows, so a full download with fewer patients or an older position than this session or device
 * (`RecordVersionMemory`) saw before withholds some: it is refused (`DirectoryRollbackError`).
 */
export class PatientDirectory {
  readonly #context: RecordsContext;
  readonly #entries = new Map<string, IndexedEntry>();
  #index: DirectoryIndex | undefined;
  #sorted: IndexedEntry[] | undefined;
  #cursor = 0;
  /** Every patient id the feed named, tombstones included (they stay in the feed for good). */
  readonly #known = new Set<string>();
  /** Entries that did not decrypt, kept sealed and tried again on every refresh. */
  #unreadable = new Map<string, SealedEntry>();
  #refreshing: Promise<void> | undefined;

  constructor(context: RecordsContext) {
    this.#context = context;
  }

  /** Number of patients in the local copy. */
  get size(): number {
    return this.#entries.size;
  }

  /** The feed position this copy is up to date with. */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * Ids of entries that did not decrypt (tampered, or sealed under a key version this device
   * lacks). Every refresh tries them again, so an entry becomes readable once the device holds
   * its key (e.g. after a practice-key hand-over), without downloading the directory again.
   */
  get unreadable(): readonly string[] {
    return [...this.#unreadable.keys()];
  }

  /** Pulls the changes since the last refresh (all entries the first time). Concurrent calls share one run. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#pull().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #pull(): Promise<void> {
    const cipher = directoryCipher(this.#context);
    const open = async (patientId: string, sealed: SealedEntry): Promise<IndexedEntry | null> => {
      try {
        const entry = await cipher.open(patientId, sealed);
        if (!Value.Check(DirectoryEntrySchema, entry)) throw new DecryptionError();
        return indexEntry(patientId, entry, pkVersionOfDirectoryKid(sealed.kid) ?? 0);
      } catch {
        return null;
      }
    };
    let changed = false;
    const full = this.#cursor === 0;
    const seen = full
      ? {
          patients: await seenVersion(this.#context, DIRECTORY_PATIENTS),
          cursor: await seenVersion(this.#context, DIRECTORY_CURSOR),
        }
      : undefined;
    for (const [patientId, sealed] of [...this.#unreadable]) {
      const entry = await open(patientId, sealed);
      if (entry === null) continue;
      this.#unreadable.delete(patientId);
      this.#entries.set(patientId, entry);
      changed = true;
    }
    for (;;) {
      const page = await call(
        this.#context,
        'GET',
        `/api/v1/directory?since=${this.#cursor}&limit=${PAGE}`,
        c.DirectoryPage,
      );
      // Decrypt a page concurrently (WebCrypto works off the main thread), then apply it in order.
      const opened = await Promise.all(
        page.changes.map(async (change) =>
          change.entry === null ? undefined : await open(change.patientId, change.entry),
        ),
      );
      page.changes.forEach((change, i) => {
        this.#known.add(change.patientId);
        const entry = opened[i];
        this.#entries.delete(change.patientId);
        this.#unreadable.delete(change.patientId);
        if (entry === null && change.entry !== null) this.#unreadable.set(change.patientId, change.entry);
        else if (entry !== undefined && entry !== null) this.#entries.set(change.patientId, entry);
      });
      if (page.changes.length > 0) changed = true;
      this.#cursor = page.cursor;
      if (!page.more) break;
    }
    const served = { patients: this.#known.size, cursor: this.#cursor };
    if (seen !== undefined && (served.patients < seen.patients || served.cursor < seen.cursor)) {
      this.clear();
      throw new DirectoryRollbackError(seen, served);
    }
    noteVersion(this.#context, DIRECTORY_PATIENTS, served.patients);
    noteVersion(this.#context, DIRECTORY_CURSOR, served.cursor);
    if (changed) {
      this.#sorted = undefined;
      this.#index = undefined;
    }
    // Searches right after a refresh should not pay for building the lookup structures.
    this.#index ??= new DirectoryIndex(this.#inOrder());
  }

  #inOrder(): IndexedEntry[] {
    this.#sorted ??= [...this.#entries.values()].sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
    return this.#sorted;
  }

  /** Patients matching `query` (names, date of birth, KVNR), best matches first; synchronous. */
  search(query: string, limit = 50): DirectoryHit[] {
    this.#index ??= new DirectoryIndex(this.#inOrder());
    return this.#index.search(query, limit);
  }

  /** All patients in name order (for a full list), at most `limit`. */
  list(limit = Number.POSITIVE_INFINITY): DirectoryHit[] {
    return this.#inOrder()
      .slice(0, limit)
      .map(({ id, entry }) => ({ id, ...entry, match: 'prefix' as const }));
  }

  /** Ids of entries sealed under an older practice-key version than `current` (to rebuild). */
  staleIds(current: number): string[] {
    return [...this.#entries.values()].filter((e) => e.pkVersion !== current).map((e) => e.id);
  }

  /** Drops every decrypted entry (on lock or logout); the next refresh downloads everything again. */
  clear(): void {
    this.#entries.clear();
    this.#unreadable.clear();
    this.#known.clear();
    this.#sorted = undefined;
    this.#index = undefined;
    this.#cursor = 0;
  }
}
