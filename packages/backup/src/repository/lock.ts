import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BackupError, errnoCode } from '../errors.js';
import { fsyncDirectory, isAlive } from './atomic-file.js';
import { layout } from './layout.js';

/**
 * Repository locks (docs/BACKUP_FORMAT.md, "Locks"): `locks/exclusive` for prune, one
 * `locks/shared-<pid>-<random>` per running backup. Each side creates its own file first and
 * then looks for the other kind, so a backup and a prune can never both proceed. A lock of a
 * process that is gone (same host, pid not running) is stale and removed.
 */
export interface RepositoryLock {
  release(): Promise<void>;
}

interface LockContent {
  readonly pid: number;
  readonly hostname: string;
  readonly createdAt: string;
}

const EXCLUSIVE = 'exclusive';

/**
 * Creates lock file `name` with its content in one step: the content goes to a temp file first,
 * which is then hard-linked to the lock's name (failing with EEXIST if the lock exists). Another
 * process never sees a lock file without its content, so it never mistakes a lock being taken
 * for one left half-written by a killed process.
 */
async function writeLock(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  const temp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      const content: LockContent = {
        pid: process.pid,
        hostname: hostname(),
        createdAt: new Date().toISOString(),
      };
      await handle.writeFile(JSON.stringify(content));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await fsyncDirectory(dir);
  return path;
}

/** Temp files of locks being taken (see writeLock); never read as locks. */
const TEMP_PREFIX = '.taking-';

/**
 * A lock file that does not parse was written by an earlier version, which wrote the content
 * after creating the file: it is stale once older than this (a live writer takes milliseconds).
 */
const UNREADABLE_STALE_MS = 60_000;

/** A lock file's content. @throws SyntaxError when it is not (handled like a half-written file). */
function parseLock(text: string): LockContent {
  const value: unknown = JSON.parse(text);
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { pid, hostname: host, createdAt } = record;
  // pid 0 and negative pids would make isAlive ask about whole process groups.
  if (
    !Number.isSafeInteger(pid) ||
    (pid as number) <= 0 ||
    typeof host !== 'string' ||
    typeof createdAt !== 'string'
  ) {
    throw new SyntaxError('not a lock file');
  }
  return { pid: pid as number, hostname: host, createdAt };
}

/** Whether the lock file at `path` belongs to a live process; stale ones are removed. */
async function heldByOther(path: string): Promise<LockContent | undefined> {
  let content: LockContent;
  try {
    content = parseLock(await readFile(path, 'utf8'));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    const modified = await stat(path).then(
      (info) => info.mtimeMs,
      () => undefined,
    );
    if (modified !== undefined && Date.now() - modified < UNREADABLE_STALE_MS) {
      return { pid: 0, hostname: 'unknown', createdAt: new Date(modified).toISOString() };
    }
    // Half-written by a process killed while locking: stale.
    await unlink(path).catch(() => undefined);
    return undefined;
  }
  if (content.hostname === hostname() && !isAlive(content.pid)) {
    await unlink(path).catch(() => undefined);
    return undefined;
  }
  return content;
}

function lockedError(path: string, holder: LockContent, what: string): BackupError {
  return new BackupError(
    'repo.locked',
    `the repository is locked by ${what} (pid ${holder.pid} on ${holder.hostname} since ${holder.createdAt}); ` +
      `try again later, or delete ${path} if that process is surely gone`,
  );
}

async function ensureDir(root: string): Promise<string> {
  const dir = layout.locksDir(root);
  await mkdir(dir, { recursive: true });
  return dir;
}

function releaser(path: string, dir: string): RepositoryLock {
  return {
    release: async () => {
      await unlink(path).catch(() => undefined);
      await fsyncDirectory(dir).catch(() => undefined);
    },
  };
}

/** For backups: fails with repo.locked while a prune runs. Several backups may hold it at once. */
export async function lockShared(root: string): Promise<RepositoryLock> {
  const dir = await ensureDir(root);
  const path = await writeLock(dir, `shared-${process.pid}-${randomBytes(6).toString('hex')}`);
  const exclusive = join(dir, EXCLUSIVE);
  const holder = await heldByOther(exclusive);
  if (holder) {
    await unlink(path).catch(() => undefined);
    throw lockedError(exclusive, holder, 'a running prune');
  }
  return releaser(path, dir);
}

/** For prune: fails with repo.locked while a backup or another prune runs. */
export async function lockExclusive(root: string): Promise<RepositoryLock> {
  const dir = await ensureDir(root);
  const exclusive = join(dir, EXCLUSIVE);
  let path: string;
  try {
    path = await writeLock(dir, EXCLUSIVE);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    const holder = await heldByOther(exclusive);
    if (holder) throw lockedError(exclusive, holder, 'another prune');
    path = await writeLock(dir, EXCLUSIVE);
  }
  for (const name of await readdir(dir)) {
    if (!name.startsWith('shared-')) continue;
    const holder = await heldByOther(join(dir, name));
    if (holder) {
      await unlink(path).catch(() => undefined);
      throw lockedError(join(dir, name), holder, 'a running backup');
    }
  }
  return releaser(path, dir);
}
