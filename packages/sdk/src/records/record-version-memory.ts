/**
 * What a device remembers between sessions about the records it opened: per practice and
 * record, the highest version of the master data it opened (verified), and under
 * `<recordId>/entries` and `<recordId>/documents` the most clinical entries and complete
 * documents it listed, and under `directory/patients` and `directory/cursor` the patient
 * directory's size and feed position. A later session on the same device then refuses an answer
 * older than that (`RecordRollbackError`, `ListRollbackError`, `DirectoryRollbackError`), as one
 * session does within itself (see record-versions.ts). An app keeps it next to the device
 * identity (the web app: IndexedDB); numbers only, nothing of the data.
 */
export interface RecordVersionMemory {
  load(practiceId: string, recordId: string): Promise<number | undefined>;
  /** Keeps `version` unless a higher one is remembered (never lowers). */
  save(practiceId: string, recordId: string, version: number): Promise<void>;
}

/** Remembers in memory only (tests, short-lived tools). */
export class MemoryRecordVersionMemory implements RecordVersionMemory {
  readonly #versions = new Map<string, number>();

  async load(practiceId: string, recordId: string): Promise<number | undefined> {
    return this.#versions.get(`${practiceId}/${recordId.toLowerCase()}`);
  }

  async save(practiceId: string, recordId: string, version: number): Promise<void> {
    const key = `${practiceId}/${recordId.toLowerCase()}`;
    if (version > (this.#versions.get(key) ?? 0)) this.#versions.set(key, version);
  }
}
