import { FormatError } from './blob-entry.js';
import { type PackRecord, encodeIndex } from './index-format.js';
import { MasterIndex } from './master-index.js';
import { FILES_READ_AHEAD, readingAhead } from './read-ahead.js';
import { DamagedFileError, type Repository } from './repository.js';

export interface LoadedIndex {
  readonly index: MasterIndex;
  /** Index files that could not be read; their packs are invisible until re-indexed. */
  readonly problems: readonly string[];
  /** The same, one error per file: which file (`kind`, `id`) and why (`message`, as in `problems`). */
  readonly damaged: readonly DamagedFileError[];
  /** The index files read and merged, and those that could not be read (together: all of them). */
  readonly files: readonly string[];
  readonly unreadable: readonly string[];
}

/** Reads and merges every index file. Damaged ones are reported, not fatal. */
export async function loadIndex(repo: Repository): Promise<LoadedIndex> {
  const index = new MasterIndex();
  const damaged: DamagedFileError[] = [];
  const files: string[] = [];
  const unreadable: string[] = [];
  const ids = await repo.listFiles('index');
  for await (const [id, bytes] of readingAhead(ids, FILES_READ_AHEAD, (id) => repo.readFile('index', id))) {
    try {
      index.addEncoded(await bytes);
      files.push(id);
    } catch (error) {
      if (error instanceof DamagedFileError) damaged.push(error);
      else if (error instanceof FormatError) {
        damaged.push(
          new DamagedFileError('index', id, `index file ${id}: ${error.message}`, { cause: error }),
        );
      } else throw error;
      unreadable.push(id);
    }
  }
  return { index, problems: damaged.map(({ message }) => message), damaged, files, unreadable };
}

/** Writes one index file for `packs` (all already durable). @returns its id. */
export async function writeIndex(repo: Repository, packs: readonly PackRecord[]): Promise<string> {
  return repo.writeFile('index', encodeIndex(packs));
}
