import { extname } from 'node:path';
import { LARGE_PROFILE, PAGE_PROFILE, type ChunkerParams } from './fastcdc.js';

/**
 * Extensions of page-structured files: databases (SQLite, SQL Server, Firebird/InterBase, dBASE,
 * Access, MySQL/InnoDB, Exchange/Outlook stores) and virtual disks, as practice software uses them.
 */
const PAGE_STRUCTURED_EXTENSIONS = new Set([
  '.db',
  '.db3',
  '.sqlite',
  '.sqlite3',
  '.mdf',
  '.ndf',
  '.ldf',
  '.fdb',
  '.gdb',
  '.ib',
  '.ibd',
  '.dbf',
  '.mdb',
  '.accdb',
  '.myd',
  '.myi',
  '.edb',
  '.pst',
  '.ost',
  '.vhd',
  '.vhdx',
  '.vmdk',
  '.qcow2',
]);

const PAGE = 4096;
const PAGE_PROFILE_MIN_FILE = 1024 * 1024;

/**
 * Which chunk sizes suit a file. Page-structured files (by extension, or any file of at least
 * 1 MiB whose size is a multiple of 4 KiB, which database files always are) get 64 KiB chunks,
 * so a rewritten 8 KiB page costs one small chunk; everything else gets 1 MiB chunks.
 */
export function chunkerProfileFor(name: string, size: number): ChunkerParams {
  if (size < PAGE_PROFILE_MIN_FILE) return LARGE_PROFILE;
  if (PAGE_STRUCTURED_EXTENSIONS.has(extname(name).toLowerCase())) return PAGE_PROFILE;
  return size % PAGE === 0 ? PAGE_PROFILE : LARGE_PROFILE;
}
