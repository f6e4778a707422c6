import { createCipheriv, createHash } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIN_KDF } from '../crypto/key-slot.js';
import { Repository } from '../repository/repository.js';

/** The cheapest Argon2id the code accepts: tests only. */
export const TEST_KDF = MIN_KDF;
export const TEST_PASSPHRASE = 'Praxis Dr. Müller – Sicherung 2026';

export async function tempDir(prefix = 'tresor-backup-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export async function newTestRepository(root: string): Promise<Repository> {
  return Repository.init(root, TEST_PASSPHRASE, TEST_KDF);
}

/** Deterministic pseudo-random bytes (the AES-256-CTR keystream of a key derived from the seed). */
export function seededBytes(seed: string, length: number): Uint8Array {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return new Uint8Array(cipher.update(Buffer.alloc(length)));
}

const WORDS =
  'Patient Befund Diagnose Therapie Überweisung Rezept Labor Blutbild Termin Praxis Kontrolle unauffällig'.split(
    ' ',
  );

/** Text-like, compressible bytes. */
export function seededText(seed: string, length: number): Uint8Array {
  const random = seededBytes(seed, Math.ceil(length / 4) + 16);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = WORDS[random[i % random.length]! % WORDS.length]!;
    const piece = i % 12 === 11 ? `${word}.\n` : `${word} `;
    parts.push(piece);
    size += Buffer.byteLength(piece);
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

/** A database-like file: 8 KiB pages, half text-like, a third random, some nearly empty. */
export function databaseLike(seed: string, pages: number): Uint8Array {
  const page = 8192;
  const out = new Uint8Array(pages * page);
  for (let p = 0; p < pages; p++) {
    const kind = p % 6;
    const bytes =
      kind < 3
        ? seededText(`${seed}/${p}`, page)
        : kind < 5
          ? seededBytes(`${seed}/${p}`, page)
          : new Uint8Array(page);
    out.set(bytes, p * page);
    out[p * page] = p & 0xff;
  }
  return out;
}

export interface TreeSpec {
  readonly seed: string;
  /** Number of small documents (1–64 KiB). */
  readonly documents: number;
  /** Size of one big random file. */
  readonly bigRandomBytes: number;
  /** Pages of one database-like file. */
  readonly databasePages: number;
}

/** Writes a practice-like tree: documents in nested folders, a database file, binaries, symlinks, odd modes. */
export async function generateTree(root: string, spec: TreeSpec): Promise<void> {
  await mkdir(join(root, 'db'), { recursive: true });
  await mkdir(join(root, 'docs', 'briefe', '2026'), { recursive: true });
  await mkdir(join(root, 'docs', 'befunde'), { recursive: true });
  await mkdir(join(root, 'empty-dir'), { recursive: true });
  if (spec.databasePages > 0)
    await writeFile(join(root, 'db', 'patients.fdb'), databaseLike(spec.seed, spec.databasePages));
  if (spec.bigRandomBytes > 0)
    await writeFile(join(root, 'db', 'images.bin'), seededBytes(`${spec.seed}/big`, spec.bigRandomBytes));
  const random = seededBytes(`${spec.seed}/sizes`, spec.documents * 2);
  for (let i = 0; i < spec.documents; i++) {
    const size = 1024 + ((random[i]! << 8) % (63 * 1024));
    const folder = i % 3 === 0 ? 'docs/briefe/2026' : i % 3 === 1 ? 'docs/befunde' : 'docs';
    const bytes =
      i % 4 === 3 ? seededBytes(`${spec.seed}/doc/${i}`, size) : seededText(`${spec.seed}/doc/${i}`, size);
    await writeFile(join(root, folder, `dokument-${i}.${i % 4 === 3 ? 'jpg' : 'xml'}`), bytes);
  }
  await writeFile(join(root, 'empty.txt'), '');
  await writeFile(join(root, 'Überweisung für Frau Weiß.txt'), 'Umlaute im Namen\n');
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hallo\n');
  await chmod(join(root, 'run.sh'), 0o750);
  await writeFile(join(root, 'readonly.txt'), 'nur lesen\n');
  await chmod(join(root, 'readonly.txt'), 0o444);
  await symlink('db/patients.fdb', join(root, 'link-to-db'));
  await symlink('/nonexistent/target', join(root, 'dangling-link'));
  await utimes(
    join(root, 'docs', 'befunde'),
    new Date('2024-02-29T12:00:00Z'),
    new Date('2024-02-29T12:00:00Z'),
  );
}

export interface EntryInfo {
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly mtimeMs: number;
  readonly size: number;
  readonly sha256?: string;
  readonly target?: string;
}

/** Everything below `root` that a restore must reproduce: type, mode, mtime (ms), content, link target. */
export async function describeTree(root: string): Promise<Map<string, EntryInfo>> {
  const entries = new Map<string, EntryInfo>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stats = await lstat(path);
      const base = { mode: stats.mode & 0o7777, mtimeMs: stats.mtimeMs, size: 0 };
      if (stats.isSymbolicLink()) {
        entries.set(relPath, { ...base, mode: 0, type: 'symlink', target: await readlink(path) });
      } else if (stats.isDirectory()) {
        entries.set(relPath, { ...base, type: 'dir' });
        await walk(path, relPath);
      } else {
        const sha256 = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        entries.set(relPath, { ...base, type: 'file', size: stats.size, sha256 });
      }
    }
  };
  await walk(root, '');
  return entries;
}

/** Total size of the files below `root` (a repository's size on disk). */
export async function directorySize(root: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(root)) {
    const stats = await lstat(join(root, name));
    total += stats.isDirectory() ? await directorySize(join(root, name)) : stats.size;
  }
  return total;
}

/**
 * Asserts that `actual` has exactly the entries of `expected` with equal type, mode, size,
 * content and link target, and mtimes within 2 µs (restores set times through libuv, which keeps
 * microseconds).
 */
export function sameTree(actual: Map<string, EntryInfo>, expected: Map<string, EntryInfo>): string[] {
  const problems: string[] = [];
  for (const path of new Set([...actual.keys(), ...expected.keys()])) {
    const a = actual.get(path);
    const e = expected.get(path);
    if (!a || !e) {
      problems.push(`${path}: ${a ? 'unexpected' : 'missing'}`);
      continue;
    }
    const { mtimeMs: am, ...aRest } = a;
    const { mtimeMs: em, ...eRest } = e;
    if (JSON.stringify(aRest) !== JSON.stringify(eRest))
      problems.push(`${path}: ${JSON.stringify(aRest)} ≠ ${JSON.stringify(eRest)}`);
    if (Math.abs(am - em) > 0.002) problems.push(`${path}: mtime ${am} ≠ ${em}`);
  }
  return problems;
}
