import { createHash, randomUUID } from 'node:crypto';
import { constants, readFileSync } from 'node:fs';
import { access, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../startup-error.js';

export interface DataDirLock {
  release(): Promise<void>;
}

/** Who holds a lock: what `tresor.pid` contains (one JSON line). */
interface Holder {
  readonly pid: number;
  /** Host name: tells containers apart, which all see themselves as PID 1. */
  readonly host?: string;
  /** Linux boot id: a lock from an earlier boot is stale whatever its pid. */
  readonly boot?: string;
  /** Start time of the process in clock ticks after boot (Linux): tells a reused pid apart. */
  readonly procStart?: string;
  /** When the holder took the lock (for the operator). */
  readonly since?: string;
  /** Unique per lock: what this process holds itself, and what a takeover judged stale. */
  readonly nonce?: string;
}

/** Nonces of the locks (and takeover claims) this process holds. */
const held = new Set<string>();

const LOCK_FILE = 'tresor.pid';

/** How deep takeovers of takeovers (of crashed takers) may go before giving up. */
const MAX_TAKEOVER_DEPTH = 3;

/**
 * Claims the data directory for this process with `<dataDir>/tresor.pid`. A second server on the
 * same directory is refused while the first lives; a lock left by a process that no longer
 * exists (kill -9, power loss, an earlier run of the same container) is taken over.
 *
 * Every step is atomic, so of any number of concurrent starters exactly one gets the directory:
 * - the lock is written in full to a temporary file and hard-linked to `tresor.pid`, which fails
 *   if it exists (readers never see a half-written lock);
 * - a stale lock is replaced only by the one starter that first creates
 *   `tresor.pid.takeover-<digest of the stale content>` (the same way, so a crashed taker's claim
 *   is itself taken over), and only after re-reading that `tresor.pid` still holds exactly the
 *   content it judged stale; the replacement is a rename over it.
 *
 * A lock of another host (another container: each sees itself as PID 1) cannot be checked and is
 * never taken over; the message says which file to delete if that server is gone.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
  } catch (error) {
    throw new StartupError(
      'data_dir.not_writable',
      `data directory ${dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'}); set TRESOR_DATA_DIR to a writable directory`,
    );
  }
  const lockPath = join(dataDir, LOCK_FILE);
  const me = identity();
  const content = `${JSON.stringify(me)}\n`;
  held.add(me.nonce);
  let outcome: Outcome;
  try {
    outcome = await claim(lockPath, content, 0);
  } catch (error) {
    held.delete(me.nonce);
    throw error;
  }
  if (!outcome.acquired) {
    held.delete(me.nonce);
    throw inUse(dataDir, lockPath, outcome.holder);
  }
  return {
    async release() {
      // Only our own lock: never one another server holds.
      if ((await readLock(lockPath)) === content) await unlink(lockPath).catch(() => undefined);
      held.delete(me.nonce);
    },
  };
}

type Outcome =
  { readonly acquired: true } | { readonly acquired: false; readonly holder: Holder | undefined };

async function claim(path: string, content: string, depth: number): Promise<Outcome> {
  let holder: Holder | undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (await createExclusive(path, content)) return { acquired: true };
    const found = await readLock(path);
    if (found === undefined) continue; // released meanwhile
    holder = parseHolder(found);
    if (holder === undefined && attempt < 3) {
      // Unreadable: a starter on a file system without hard links between create and write?
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    if (holder !== undefined && isLive(holder)) return { acquired: false, holder };
    if (depth >= MAX_TAKEOVER_DEPTH) return { acquired: false, holder };
    // Stale: one taker at a time, and only of exactly the content judged stale.
    const takeover = `${path}.takeover-${createHash('sha256').update(found).digest('hex').slice(0, 16)}`;
    const claimed = await claim(takeover, content, depth + 1);
    if (!claimed.acquired) return claimed; // another live starter is taking it over
    try {
      if ((await readLock(path)) === found) {
        await replace(path, content);
        return { acquired: true };
      }
    } finally {
      await unlink(takeover).catch(() => undefined);
    }
  }
  return { acquired: false, holder };
}

let temporaries = 0;
const temporaryPath = (path: string) => `${path}.${process.pid}-${++temporaries}-${randomUUID()}.tmp`;

/** Writes `content` to a new file and fsyncs it (mode 0600). */
async function writeNew(path: string, content: string, flags: string): Promise<void> {
  const handle = await open(path, flags, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `path` with `content` unless it exists; false if it does. Never visible half-written. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temporary = temporaryPath(path);
  await writeNew(temporary, content, 'wx');
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code ?? '')) throw error;
    // A file system without hard links: exclusive create; readers may see it briefly empty.
    try {
      await writeNew(path, content, 'wx');
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Replaces `path` with `content` in one step (rename over it). */
async function replace(path: string, content: string): Promise<void> {
  const temporary = temporaryPath(path);
  await writeNew(temporary, content, 'wx');
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function readLock(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const HOLDER_STRINGS: ReadonlySet<string> = new Set(['host', 'boot', 'procStart', 'since', 'nonce']);

/** The holder a lock names: JSON, or a bare pid (earlier versions); undefined if unreadable. */
function parseHolder(content: string): Holder | undefined {
  const text = content.trim();
  if (/^[1-9]\d*$/.test(text)) return { pid: Number(text) };
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, ...rest } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    const strings = Object.entries(rest).filter(
      ([name, value]) => typeof value === 'string' && HOLDER_STRINGS.has(name),
    );
    return { pid, ...Object.fromEntries(strings) };
  } catch {
    return undefined;
  }
}

/** Whether the holder may still be running (a lock from another host always may). */
function isLive(holder: Holder): boolean {
  if (holder.nonce !== undefined && held.has(holder.nonce)) return true; // this process holds it
  if (holder.host !== undefined && holder.host !== HOST) return true; // cannot be checked from here
  if (holder.boot !== undefined && BOOT_ID !== undefined && holder.boot !== BOOT_ID) return false;
  // Our own pid but not our lock: an earlier run of ours (a restarted container's PID 1).
  if (holder.pid === process.pid) return false;
  if (!isAlive(holder.pid)) return false;
  if (holder.procStart !== undefined) {
    const now = processStart(holder.pid);
    if (now !== undefined && now !== holder.procStart) return false; // the pid was reused
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const HOST = hostname();
const BOOT_ID = readProc('/proc/sys/kernel/random/boot_id');

function identity(): Holder & { readonly nonce: string } {
  const procStart = processStart(process.pid);
  return {
    pid: process.pid,
    host: HOST,
    ...(BOOT_ID !== undefined && { boot: BOOT_ID }),
    ...(procStart !== undefined && { procStart }),
    since: new Date().toISOString(),
    nonce: randomUUID(),
  };
}

/** Field 22 of `/proc/<pid>/stat` (start time after boot); undefined off Linux. */
function processStart(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may contain spaces: count after it.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function inUse(dataDir: string, lockPath: string, holder: Holder | undefined): StartupError {
  if (holder === undefined) {
    return new StartupError('data_dir.in_use', `data directory ${dataDir} is in use (lock file ${lockPath})`);
  }
  const where = holder.host !== undefined && holder.host !== HOST ? ` on host ${holder.host}` : '';
  const since = holder.since === undefined ? '' : ` since ${holder.since}`;
  const hint =
    where === ''
      ? 'stop it first or choose another TRESOR_DATA_DIR'
      : `stop it first, or if it no longer runs, delete ${lockPath}`;
  return new StartupError(
    'data_dir.in_use',
    `data directory ${dataDir} is in use by another Tresor server (pid ${holder.pid}${where})${since}; ${hint}`,
  );
}
