import { koelnerPhonetik, nameTokens, normalizeGermanName, normalizeKvnr } from '@tresor/crypto';
import type { DirectoryEntry } from './plaintext.js';
import type { DirectoryHit, DirectoryMatch } from './types.js';

/**
 * Local search over the decrypted patient directory: prefix and substring on names (German
 * normalisation: Müller = Mueller), Kölner Phonetik (Meier = Meyer = Maier), date of birth
 * (DD.MM.YYYY, D.M.YYYY or YYYY-MM-DD) and KVNR. Query words must all match; a date or KVNR in
 * the query filters. Results: best match kind first, each kind in name order.
 */

/** A directory entry with what the search compares, computed once when it arrives. */
export interface IndexedEntry {
  readonly id: string;
  readonly entry: DirectoryEntry;
  /** Practice-key version the entry was sealed under (to find entries to rebuild after a rotation). */
  readonly pkVersion: number;
  readonly tokens: readonly string[];
  readonly joined: string;
  readonly phonetic: readonly string[];
  readonly kvnr: string | undefined;
  readonly sortKey: string;
}

export function indexEntry(id: string, entry: DirectoryEntry, pkVersion: number): IndexedEntry {
  const tokens = [...nameTokens(entry.familyName), ...nameTokens(entry.givenName)];
  return {
    id,
    entry,
    pkVersion,
    tokens,
    joined: tokens.join(' '),
    phonetic: tokens.map(koelnerPhonetik).filter((code) => code.length > 0),
    kvnr: entry.kvnr === undefined ? undefined : normalizeKvnr(entry.kvnr),
    sortKey: `${normalizeGermanName(entry.familyName)} ${normalizeGermanName(entry.givenName)} ${entry.birthDate} ${id}`,
  };
}

interface NameTerm {
  readonly text: string;
  readonly phonetic: string | undefined;
}

interface Query {
  readonly names: readonly NameTerm[];
  readonly birthDate: string | undefined;
  readonly kvnr: string | undefined;
}

const GERMAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(word: string): string | undefined {
  if (ISO_DATE.test(word)) return word;
  const match = GERMAN_DATE.exec(word);
  if (match === null) return undefined;
  return `${match[3]}-${match[2]!.padStart(2, '0')}-${match[1]!.padStart(2, '0')}`;
}

export function parseQuery(query: string): Query {
  const names: NameTerm[] = [];
  let birthDate: string | undefined;
  let kvnr: string | undefined;
  for (const word of query.trim().split(/\s+/)) {
    if (word === '') continue;
    const date = parseDate(word);
    const insurance = date === undefined ? normalizeKvnr(word) : undefined;
    if (date !== undefined) birthDate = date;
    else if (insurance !== undefined) kvnr = insurance;
    else {
      for (const text of nameTokens(word)) {
        // Phonetic codes of very short words match far too much; they count from three letters.
        names.push({ text, phonetic: text.length >= 3 ? koelnerPhonetik(text) || undefined : undefined });
      }
    }
  }
  return { names, birthDate, kvnr };
}

const PREFIX = 3;
const SUBSTRING = 2;
const PHONETIC = 1;
const KINDS: readonly DirectoryMatch[] = ['phonetic', 'substring', 'prefix'];

function nameScore(entry: IndexedEntry, term: NameTerm): number {
  if (entry.tokens.some((token) => token.startsWith(term.text))) return PREFIX;
  if (entry.joined.includes(term.text)) return SUBSTRING;
  if (term.phonetic !== undefined && entry.phonetic.includes(term.phonetic)) return PHONETIC;
  return 0;
}

function hit(entry: IndexedEntry, match: DirectoryMatch): DirectoryHit {
  const { givenName, familyName, birthDate, kvnr } = entry.entry;
  return { id: entry.id, givenName, familyName, birthDate, ...(kvnr === undefined ? {} : { kvnr }), match };
}

/**
 * Lookup structures over the entries in name order, built once per change of the directory:
 * every name word sorted (prefix ranges by binary search), phonetic codes, dates of birth and
 * KVNRs to the positions of their entries. A search touches only candidates, except a substring
 * scan when prefix matches alone do not fill the page.
 */
export class DirectoryIndex {
  readonly #sorted: readonly IndexedEntry[];
  readonly #words: string[] = [];
  readonly #wordRanks: number[] = [];
  readonly #phonetic = new Map<string, number[]>();
  readonly #birthDates = new Map<string, number[]>();
  readonly #kvnrs = new Map<string, number[]>();

  constructor(sorted: readonly IndexedEntry[]) {
    this.#sorted = sorted;
    const pairs: [string, number][] = [];
    const push = (map: Map<string, number[]>, key: string, rank: number) => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [rank]);
      else if (list.at(-1) !== rank) list.push(rank);
    };
    sorted.forEach((entry, rank) => {
      for (const token of entry.tokens) pairs.push([token, rank]);
      for (const code of entry.phonetic) push(this.#phonetic, code, rank);
      push(this.#birthDates, entry.entry.birthDate, rank);
      if (entry.kvnr !== undefined) push(this.#kvnrs, entry.kvnr, rank);
    });
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    for (const [word, rank] of pairs) {
      this.#words.push(word);
      this.#wordRanks.push(rank);
    }
  }

  /** Positions of entries with a name word starting with `prefix`. */
  #prefixRanks(prefix: string): number[] {
    let low = 0;
    let high = this.#words.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#words[mid]! < prefix) low = mid + 1;
      else high = mid;
    }
    const out: number[] = [];
    for (let i = low; i < this.#words.length && this.#words[i]!.startsWith(prefix); i++) {
      out.push(this.#wordRanks[i]!);
    }
    return out;
  }

  search(query: string, limit: number): DirectoryHit[] {
    const q = parseQuery(query);
    const accepts = (entry: IndexedEntry) =>
      (q.birthDate === undefined || entry.entry.birthDate === q.birthDate) &&
      (q.kvnr === undefined || entry.kvnr === q.kvnr);
    if (q.names.length === 0) {
      if (q.birthDate === undefined && q.kvnr === undefined) return [];
      const ranks =
        q.kvnr !== undefined ? (this.#kvnrs.get(q.kvnr) ?? []) : (this.#birthDates.get(q.birthDate!) ?? []);
      const match: DirectoryMatch = q.kvnr !== undefined ? 'kvnr' : 'birthDate';
      return ranks
        .map((rank) => this.#sorted[rank]!)
        .filter(accepts)
        .slice(0, limit)
        .map((entry) => hit(entry, match));
    }
    // The longest word is the most selective: candidates are the entries it matches.
    const lead = q.names.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    const scores = new Map<number, number>();
    const consider = (rank: number) => {
      if (scores.has(rank)) return;
      const entry = this.#sorted[rank]!;
      let score = accepts(entry) ? PREFIX : 0;
      for (const term of q.names) {
        if (score === 0) break;
        score = Math.min(score, nameScore(entry, term));
      }
      scores.set(rank, score);
    };
    for (const rank of this.#prefixRanks(lead.text)) consider(rank);
    let prefixHits = 0;
    for (const score of scores.values()) if (score === PREFIX) prefixHits++;
    if (prefixHits < limit) {
      if (lead.phonetic !== undefined)
        for (const rank of this.#phonetic.get(lead.phonetic) ?? []) consider(rank);
      this.#sorted.forEach((entry, rank) => {
        if (!scores.has(rank) && entry.joined.includes(lead.text)) consider(rank);
      });
    }
    const buckets: number[][] = [[], [], [], []];
    for (const [rank, score] of scores) if (score > 0) buckets[score]!.push(rank);
    const out: DirectoryHit[] = [];
    for (const score of [PREFIX, SUBSTRING, PHONETIC]) {
      const ranks = buckets[score]!.sort((a, b) => a - b);
      for (const rank of ranks) {
        if (out.length >= limit) return out;
        out.push(hit(this.#sorted[rank]!, KINDS[score - 1]!));
      }
    }
    return out;
  }
}
