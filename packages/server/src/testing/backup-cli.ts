import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExitedProcess, runScript } from './server-process.js';

/** The real `tresor-backup` CLI (built), as a practice runs it. */
export const BACKUP_CLI = fileURLToPath(new URL('../../../backup/bin/tresor-backup.js', import.meta.url));
/** Argon2id settings that keep tests fast (the CLI's minimum). */
export const FAST_KDF = ['--kdf-memory', '8', '--kdf-iterations', '1'];

export const backupCli = (args: readonly string[], env: Record<string, string>): Promise<ExitedProcess> =>
  runScript(BACKUP_CLI, args, env, 120_000);

/** The `summary` line of a `--json` run (empty when there is none). */
export const summaryOf = (out: ExitedProcess): Record<string, unknown> =>
  out.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.type === 'summary') ?? {};

/** path → type, mode, mtime (ms), content hash or link target. */
export async function describeTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const stats = await lstat(path);
      const rel = relative(root, path);
      if (stats.isSymbolicLink()) out.set(rel, `link ${await readlink(path)}`);
      else if (stats.isDirectory()) {
        out.set(rel, `dir ${(stats.mode & 0o7777).toString(8)}`);
        await walk(path);
      } else {
        const hash = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        out.set(rel, `file ${(stats.mode & 0o7777).toString(8)} ${Math.floor(stats.mtimeMs)} ${hash}`);
      }
    }
  };
  await walk(root);
  return out;
}

/** A backup token of `kind`, made by the signed-in primary user behind `sessionToken`. */
export async function backupCredential(
  serverUrl: string,
  sessionToken: string,
  kind: 'agent' | 'retention',
): Promise<string> {
  const response = await fetch(`${serverUrl}/api/v1/backup/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Empfang ${kind}`, kind }),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { token: string }).token;
}

/** The practice's cloud objects as a backup token sees them. */
export async function cloudObjects(
  serverUrl: string,
  token: string,
): Promise<{ kind: string; name: string; size: number; damaged: boolean }[]> {
  const response = await fetch(`${serverUrl}/api/v1/backup/objects`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (
    (await response.json()) as { objects: { kind: string; name: string; size: number; damaged: boolean }[] }
  ).objects;
}
