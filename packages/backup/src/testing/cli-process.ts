import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI, run exactly as the `tresor-backup` bin runs it. */
export const CLI_PATH = fileURLToPath(new URL('../../bin/tresor-backup.js', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(BUILT_CLI)) throw new Error('the backup CLI is not built: run "npx tsc -b" first');
}

export interface ExitedProcess {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with `args` and an environment of only `env` (plus PATH) until it exits. */
/** Whom the CLI runs as (the tests run as root; a user id drops its privileges). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  runAs?: RunAs,
): Promise<ExitedProcess> {
  const child = spawnCli(args, env, runAs);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  runAs?: RunAs,
): ChildProcess {
  return spawn(process.execPath, [CLI_PATH, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ?? {}),
  });
}

/** Parses `--json` output: one object per line. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
