// Running one timed step: cold page cache, wall time, peak RSS (GNU time), tree hashes and sizes.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from './tools.js';

export interface StepResult {
  readonly seconds: number;
  /** Peak resident set size of the command, in bytes (GNU time's %M). */
  readonly peakRss: number;
}

/** `sync; echo 3 > /proc/sys/vm/drop_caches`: false when not permitted (not root, container). */
export function dropCaches(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

/** Runs the command under /usr/bin/time; throws with its stderr when it fails. */
export async function runStep(
  command: Command,
  env: NodeJS.ProcessEnv,
  timeFile: string,
): Promise<StepResult> {
  const started = performance.now();
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, command.file, ...command.args], {
      cwd: command.cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(
      `${command.file} ${command.args.join(' ')} exited with ${code}: ${Buffer.concat(stderr).toString().slice(-2000)}`,
    );
  }
  const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
  const peakKiB = Number(lines[lines.length - 1]);
  rmSync(timeFile, { force: true });
  return { seconds, peakRss: peakKiB * 1024 };
}

/** Bytes a directory occupies on disk (`du -sb`, apparent sizes). */
export function directoryBytes(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

/** SHA-256 of every regular file below `root`, by relative path (symlinks and directories by type). */
export async function hashTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stats = await lstat(path);
      if (stats.isDirectory()) await walk(path, relPath);
      else if (stats.isFile()) out.set(relPath, await hashFile(path));
      else out.set(relPath, 'other');
    }
  };
  await walk(root, '');
  return out;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Undefined when equal, else a short description of the first differences. */
export function compareTrees(expected: Map<string, string>, actual: Map<string, string>): string | undefined {
  const problems: string[] = [];
  for (const [path, hash] of expected) {
    const got = actual.get(path);
    if (got === undefined) problems.push(`missing ${path}`);
    else if (got !== hash) problems.push(`differs ${path}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) problems.push(`extra ${path}`);
  return problems.length === 0
    ? undefined
    : `${problems.length} differences: ${problems.slice(0, 5).join(', ')}`;
}
