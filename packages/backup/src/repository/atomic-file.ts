import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode } from '../errors.js';
import { layout } from './layout.js';

/**
 * Crash-safe file creation: everything is written to `<repo>/tmp/<pid>-<random>`, fsynced,
 * renamed into place and the target directory fsynced. A reader (or a later run after kill -9)
 * sees either no file or the complete file, never a partial one.
 */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface TempFile {
  readonly path: string;
  readonly handle: FileHandle;
}

export async function createTempFile(root: string): Promise<TempFile> {
  const path = join(layout.tmpDir(root), `${process.pid}-${randomBytes(8).toString('hex')}`);
  const handle = await open(path, 'wx', 0o600);
  return { path, handle };
}

/** fsyncs and closes `temp`, then renames it to `finalPath` and fsyncs the directory. */
export async function commitTempFile(temp: TempFile, finalPath: string): Promise<void> {
  try {
    await temp.handle.sync();
  } finally {
    await temp.handle.close();
  }
  const created = await mkdir(dirname(finalPath), { recursive: true });
  await rename(temp.path, finalPath);
  await fsyncDirectory(dirname(finalPath));
  // A directory made just now (`data/ab/`) is itself a new name in its parent: made durable
  // too, or a power loss could lose the file with it after an index naming it was written.
  if (created !== undefined) await fsyncDirectory(dirname(created));
}

export async function discardTempFile(temp: TempFile): Promise<void> {
  await temp.handle.close().catch(() => undefined);
  await unlink(temp.path).catch(() => undefined);
}

/** Writes `data` to `finalPath` atomically (see above). */
export async function writeFileAtomic(root: string, finalPath: string, data: Uint8Array): Promise<void> {
  const temp = await createTempFile(root);
  try {
    await temp.handle.writeFile(data);
    await commitTempFile(temp, finalPath);
  } catch (error) {
    await discardTempFile(temp);
    throw error;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/**
 * Removes temp files whose writer is gone (kill -9, power loss). Files of live processes, e.g.
 * a concurrent backup, are left alone.
 * @returns how many were removed.
 */
export async function removeStaleTempFiles(root: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(layout.tmpDir(root));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 0;
    throw error;
  }
  for (const name of names) {
    const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) continue;
    await unlink(join(layout.tmpDir(root), name)).catch(() => undefined);
    removed++;
  }
  return removed;
}
