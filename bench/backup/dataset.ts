// The practice-like dataset of the backup benchmark: seeded, so every run writes the same bytes.
// Three database-like files of 8 KiB pages and many small documents, then a ~1 % change.
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

const PAGE = 8192;
const MiB = 1024 * 1024;
/** Pages per region; regions are the unit that may repeat an earlier region of the same file. */
const REGION_PAGES = 128;

export interface DatasetSpec {
  readonly seed: string;
  /** Size of each of the three database files, in 8 KiB pages. */
  readonly databasePages: number;
  /** Number of documents of 1–64 KiB. */
  readonly documents: number;
}

/** The full-size dataset (~1.5 GiB) times `scale`. */
export function datasetSpec(scale: number): DatasetSpec {
  return {
    seed: 'tresor-bench-backup-v1',
    databasePages: Math.max(REGION_PAGES * 2, Math.round((300 * MiB * scale) / PAGE)),
    documents: Math.max(200, Math.round(20_000 * scale)),
  };
}

/** A small seeded PRNG (mulberry32) for choices; bulk random bytes come from AES-CTR below. */
export class Random {
  private state: number;
  constructor(seed: string) {
    this.state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
}

/** Deterministic incompressible bytes: the AES-256-CTR keystream of a key derived from the seed. */
export function randomBytes(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

const WORDS = (
  'Patient Patientin Befund Diagnose Therapie Überweisung Rezept Labor Blutbild Termin Praxis Kontrolle ' +
  'unauffällig Hausarzt Anamnese Medikation Dosierung täglich Blutdruck Puls Gewicht Größe Allergie ' +
  'Impfung Verordnung Krankenkasse Versicherter Quartal Abrechnung EBM GOÄ Leistung Ziffer Datum ' +
  'Herr Frau Dr. med. Straße Berlin München Hamburg Köln mg ml Tablette morgens abends nüchtern'
)
  .split(' ')
  .map((word) => Buffer.from(word));
const NUMBERS = Array.from({ length: 100 }, (_, i) => Buffer.from(String(i).padStart(2, '0')));

/** Text-like, compressible bytes (German practice vocabulary with numbers). */
export function textBytes(random: Random, length: number): Buffer {
  const out = Buffer.alloc(length);
  let at = 0;
  let words = 0;
  while (at < length) {
    const word = random.next() < 0.15 ? NUMBERS[random.int(100)]! : WORDS[random.int(WORDS.length)]!;
    at += word.copy(out, at);
    if (at < length) out[at++] = ++words % 12 === 0 ? 0x0a : 0x20;
  }
  return out;
}

/**
 * One region of a database-like file: half text-like pages, a third random, the rest nearly
 * empty (a header and zeros). Each page starts with its page number, like a real page header.
 */
function databaseRegion(seed: string, random: Random, firstPage: number, pages: number): Buffer {
  const out = Buffer.alloc(pages * PAGE);
  for (let p = 0; p < pages; p++) {
    const at = p * PAGE;
    const kind = random.next();
    if (kind < 0.5) textBytes(random, PAGE).copy(out, at);
    else if (kind < 0.84) randomBytes(`${seed}/page/${firstPage + p}`, PAGE).copy(out, at);
    else textBytes(random, 64 + random.int(192)).copy(out, at);
    out.writeUInt32LE(firstPage + p, at);
  }
  return out;
}

function writeDatabase(path: string, seed: string, pages: number): void {
  const random = new Random(seed);
  const fd = openSync(path, 'w');
  try {
    for (let first = 0; first < pages; first += REGION_PAGES) {
      const count = Math.min(REGION_PAGES, pages - first);
      // ~15 % of regions repeat an earlier region of the file (copied rows, preallocated extents).
      if (first > 0 && count === REGION_PAGES && random.next() < 0.15) {
        const source = random.int(first / REGION_PAGES) * REGION_PAGES;
        const copy = Buffer.alloc(count * PAGE);
        const read = openSync(path, 'r');
        try {
          readIntoAt(read, copy, source * PAGE);
        } finally {
          closeSync(read);
        }
        writeSync(fd, copy, 0, copy.length, first * PAGE);
      } else {
        const region = databaseRegion(seed, random, first, count);
        writeSync(fd, region, 0, region.length, first * PAGE);
      }
    }
  } finally {
    closeSync(fd);
  }
}

function readIntoAt(fd: number, buffer: Buffer, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const read = readSync(fd, buffer, done, buffer.length - done, position + done);
    if (read === 0) throw new Error('unexpected end of file');
    done += read;
  }
}

const KINDS = ['xml', 'letter', 'pdf', 'jpeg'] as const;

/** One document's bytes: XML (text in tags), a letter (text), a PDF (text and random streams), a JPEG (random). */
function documentBytes(seed: string, index: number): { name: string; bytes: Buffer } {
  const random = new Random(`${seed}/doc/${index}`);
  const size = 1024 + random.int(63 * 1024);
  const kind = KINDS[random.int(KINDS.length)]!;
  const id = String(index).padStart(6, '0');
  switch (kind) {
    case 'xml': {
      const head = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<befund id="${id}">\n<text>`);
      return {
        name: `befund-${id}.xml`,
        bytes: Buffer.concat([head, textBytes(random, size - head.length)]),
      };
    }
    case 'letter':
      return { name: `brief-${id}.txt`, bytes: textBytes(random, size) };
    case 'pdf': {
      const text = textBytes(random, Math.floor(size / 2));
      const stream = randomBytes(`${seed}/pdf/${index}`, size - text.length - 9);
      return { name: `scan-${id}.pdf`, bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), text, stream]) };
    }
    case 'jpeg': {
      const bytes = randomBytes(`${seed}/jpeg/${index}`, size);
      bytes[0] = 0xff;
      bytes[1] = 0xd8;
      return { name: `foto-${id}.jpg`, bytes };
    }
  }
}

/** Where document `index` lives: 200 patient folders, 50 below each of four year folders. */
function documentPath(root: string, index: number): string {
  const patient = String(index % 200).padStart(4, '0');
  return join(root, 'dokumente', String(2023 + (index % 4)), `patient-${patient}`);
}

export interface DatasetStats {
  readonly files: number;
  readonly bytes: number;
}

/** Writes the dataset below `root` (which must not exist yet). */
export function generateDataset(root: string, spec: DatasetSpec): DatasetStats {
  mkdirSync(join(root, 'datenbank'), { recursive: true });
  let bytes = 0;
  for (const name of ['praxis.fdb', 'labor.fdb', 'termine.fdb']) {
    const path = join(root, 'datenbank', name);
    writeDatabase(path, `${spec.seed}/${name}`, spec.databasePages);
    bytes += spec.databasePages * PAGE;
  }
  const duplicates = new Random(`${spec.seed}/duplicates`);
  let previous: Buffer | undefined;
  for (let i = 0; i < spec.documents; i++) {
    const doc = documentBytes(spec.seed, i);
    // ~1 % of documents are copies of the previous one (the same letter saved twice).
    const bytesOut = previous !== undefined && duplicates.next() < 0.01 ? previous : doc.bytes;
    const dir = documentPath(root, i);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, doc.name), bytesOut);
    bytes += bytesOut.length;
    previous = doc.bytes;
  }
  return { files: 3 + spec.documents, bytes };
}

/**
 * The ~1 % change: in `praxis.fdb`, 1 % of pages rewritten at random places and 1 % appended;
 * 100 documents deleted and 100 new ones added (scaled down for small runs).
 */
export function changeDataset(root: string, spec: DatasetSpec): { changedBytes: number } {
  const random = new Random(`${spec.seed}/change`);
  const path = join(root, 'datenbank', 'praxis.fdb');
  const fd = openSync(path, 'r+');
  const changedPages = Math.ceil(spec.databasePages / 100);
  let changedBytes = 0;
  try {
    for (let i = 0; i < changedPages; i++) {
      const page = random.int(spec.databasePages);
      const bytes = i % 2 === 0 ? textBytes(random, PAGE) : randomBytes(`${spec.seed}/rewrite/${i}`, PAGE);
      bytes.writeUInt32LE(page, 0);
      writeSync(fd, bytes, 0, PAGE, page * PAGE);
    }
    const appended = databaseRegion(`${spec.seed}/append`, random, spec.databasePages, changedPages);
    writeSync(fd, appended, 0, appended.length, fstatSync(fd).size);
    changedBytes += 2 * changedPages * PAGE;
  } finally {
    closeSync(fd);
  }
  const count = Math.min(100, Math.ceil(spec.documents / 200));
  const deleted = new Set<number>();
  while (deleted.size < count) deleted.add(random.int(spec.documents));
  for (const index of deleted) {
    rmSync(join(documentPath(root, index), documentBytes(spec.seed, index).name));
  }
  for (let i = 0; i < count; i++) {
    const index = spec.documents + i;
    const doc = documentBytes(spec.seed, index);
    const dir = documentPath(root, index);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, doc.name), doc.bytes);
    changedBytes += doc.bytes.length;
  }
  return { changedBytes };
}
