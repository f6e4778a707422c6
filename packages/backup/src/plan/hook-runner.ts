import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { HookCommand } from './manifest.js';

export interface HookOutcome {
  readonly command: string;
  /** `ok`: exit status 0. `failed`: another status or a signal. `timeout`: killed after timeoutSeconds. */
  readonly status: 'ok' | 'failed' | 'timeout';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
}

export type HookLine = (stream: 'stdout' | 'stderr', line: string) => void;

/**
 * The agent's secrets (read by src/cli/environment.ts): never handed to a product's command,
 * whose output is logged.
 */
export const SECRET_VARIABLES: readonly string[] = [
  'TRESOR_BACKUP_PASSPHRASE',
  'TRESOR_BACKUP_NEW_PASSPHRASE',
  'TRESOR_BACKUP_CLOUD_TOKEN',
];

/** The agent's environment without its secrets, plus `variables`. */
export function hookEnvironment(
  base: NodeJS.ProcessEnv,
  variables: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv {
  const kept = Object.entries(base).filter(([name]) => !SECRET_VARIABLES.includes(name));
  return { ...Object.fromEntries(kept), ...variables };
}

/** After a timeout the command's process group gets SIGTERM, then SIGKILL this much later. */
const KILL_GRACE_MS = 5000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Runs one pre- or post-command with `/bin/sh -c` in its own process group, with the agent's
 * environment minus its secrets (SECRET_VARIABLES) plus `variables`, stdin closed. Every output line goes to `onLine` as it comes.
 * On timeout the whole group (the shell and what it started, e.g. pg_dump) is terminated.
 */
export async function runHook(
  hook: HookCommand,
  variables: Readonly<Record<string, string>>,
  onLine: HookLine,
): Promise<HookOutcome> {
  const started = Date.now();
  // The child inherits the agent's environment except the passphrase and token variables.
  const child = spawn('/bin/sh', ['-c', hook.command], {
    env: hookEnvironment(process.env, variables),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines = (stream: 'stdout' | 'stderr', input: NodeJS.ReadableStream) =>
    new Promise<void>((done) => {
      const reader = createInterface({ input, crlfDelay: Infinity });
      reader.on('line', (line) => {
        onLine(stream, line);
      });
      reader.on('close', done);
    });
  const readers = Promise.all([lines('stdout', child.stdout), lines('stderr', child.stderr)]);
  const state: { timedOut: boolean; killTimer?: NodeJS.Timeout } = { timedOut: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    killGroup(child.pid, 'SIGTERM');
    state.killTimer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
    }, KILL_GRACE_MS);
  }, hook.timeoutSeconds * 1000);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>(
    (done) => {
      child.on('error', (spawnError) => {
        done({ code: null, signal: null, spawnError });
      });
      child.on('exit', (code, signal) => {
        done({ code, signal });
      });
    },
  );
  clearTimeout(timer);
  if (state.timedOut) killGroup(child.pid, 'SIGKILL');
  if (state.killTimer) clearTimeout(state.killTimer);
  if (exit.spawnError) onLine('stderr', `cannot start /bin/sh: ${exit.spawnError.message}`);
  // Output of background children that keep the pipes open is not waited for past the group kill.
  await Promise.race([readers, new Promise((done) => setTimeout(done, 1000).unref())]);
  const status = state.timedOut ? 'timeout' : exit.code === 0 ? 'ok' : 'failed';
  return {
    command: hook.command,
    status,
    exitCode: exit.code,
    signal: exit.signal,
    durationMs: Date.now() - started,
  };
}
