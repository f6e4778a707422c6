// The measured login workloads: sequential, concurrent, and a wrong-password hammer on one account.
import { performance } from 'node:perf_hooks';
import { type KeyStretching, TresorApiError } from '@tresor/sdk';
import { median, percentile } from '../lib/stats.js';
import { type BenchUser, createUser, loginUser, wrongPasswordLogin } from './accounts.js';
import { type BenchClient, type CpuMeter, type CpuUsed, cpuUsed } from './clients.js';

/** Error counts by error code (TresorApiError) or message. */
export type ErrorCounts = ReadonlyMap<string, number>;

export function errorCount(errors: ErrorCounts): number {
  let total = 0;
  for (const count of errors.values()) total += count;
  return total;
}

function countError(errors: Map<string, number>, error: unknown): void {
  const key = error instanceof TresorApiError ? error.code : String(error);
  errors.set(key, (errors.get(key) ?? 0) + 1);
}

/** Runs `task` for every item with `workers` concurrent loops; each loop gets its own `workerIndex`. */
async function forEachConcurrently<T>(
  items: readonly T[],
  workers: number,
  task: (item: T, workerIndex: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const loop = async (workerIndex: number) => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item, workerIndex);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, items.length) }, (_, i) => loop(i)));
}

/** Creates one practice per username and enrols TOTP with a first login, `clients.length` at a time. */
export async function createUsers(
  clients: readonly BenchClient[],
  usernames: readonly string[],
  keyStretching: KeyStretching | undefined,
  onProgress: (done: number) => void,
): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  await forEachConcurrently(usernames, clients.length, async (username, worker) => {
    users.push(await createUser(clients[worker]!.http, username, keyStretching));
    onProgress(users.length);
  });
  return users;
}

export interface SequentialResult {
  readonly logins: number;
  readonly cpu: CpuUsed;
  readonly medianMs: number;
  readonly errors: ErrorCounts;
}

/** One login after the other from one client, with CPU readings before and after. */
export async function sequentialLogins(
  client: BenchClient,
  users: readonly BenchUser[],
  meter: CpuMeter,
): Promise<SequentialResult> {
  const durations: number[] = [];
  const errors = new Map<string, number>();
  const before = meter();
  for (const user of users) {
    const start = performance.now();
    try {
      await loginUser(client.http, user);
      durations.push(performance.now() - start);
    } catch (error) {
      countError(errors, error);
    }
  }
  const cpu = cpuUsed(before, meter());
  return { logins: users.length, cpu, medianMs: median(durations), errors };
}

export interface ConcurrentResult {
  readonly logins: number;
  readonly clients: number;
  /** Wall time of the whole run, ramp-up and tail included. */
  readonly durationMs: number;
  /** Logins completed (successfully) in the steady window, while every client was busy. */
  readonly windowLogins: number;
  readonly cpu: CpuUsed;
  readonly loginsPerSecond: number;
  /** Of the successful logins completed in the window. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: ErrorCounts;
}

/**
 * Each user logs in once; every client is a loop that takes the next user until none is left.
 * The steady window runs from the `clients`-th completion (the first wave is through) to the
 * start of the last login (after it, clients run out of work); logins/s counts the successful
 * logins completed in it.
 */
export async function concurrentLogins(
  clients: readonly BenchClient[],
  users: readonly BenchUser[],
  meter: CpuMeter,
): Promise<ConcurrentResult> {
  if (users.length < 3 * clients.length) {
    throw new Error(
      `a concurrent run needs at least 3 users per client (${users.length} for ${clients.length})`,
    );
  }
  const completions: { readonly endMs: number; readonly durationMs: number }[] = [];
  const errors = new Map<string, number>();
  let finished = 0;
  let windowStart: ReturnType<CpuMeter> | undefined;
  let windowEnd: ReturnType<CpuMeter> | undefined;
  let started = 0;
  const runStart = performance.now();
  await forEachConcurrently(users, clients.length, async (user, worker) => {
    if (++started === users.length) windowEnd = meter();
    const start = performance.now();
    try {
      await loginUser(clients[worker]!.http, user);
      const end = performance.now();
      completions.push({ endMs: end, durationMs: end - start });
    } catch (error) {
      countError(errors, error);
    }
    if (++finished === clients.length) windowStart = meter();
  });
  const durationMs = performance.now() - runStart;
  if (windowStart === undefined || windowEnd === undefined) throw new Error('the steady window is missing');
  const from = windowStart.atMs;
  const to = windowEnd.atMs;
  const inWindow = completions.filter(({ endMs }) => endMs > from && endMs <= to);
  const durations = inWindow.map(({ durationMs }) => durationMs);
  const cpu = cpuUsed(windowStart, windowEnd);
  return {
    logins: users.length,
    clients: clients.length,
    durationMs,
    windowLogins: inWindow.length,
    cpu,
    loginsPerSecond: inWindow.length / (cpu.wallMs / 1000),
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
    errors,
  };
}

export interface HammerResult {
  readonly loops: number;
  readonly attempts: number;
  /** Attempts refused with anything but auth.login_failed, or failing otherwise. */
  readonly errors: ErrorCounts;
  /** How long each attempt took that overlapped the measured interval (mark → stop). */
  readonly measuredMs: readonly number[];
}

export interface Hammer {
  /** Resolves when an attempt has taken at least `ms` (the throttle delay has grown that far); fails after 10 × `ms`. */
  waitForDelay(ms: number): Promise<void>;
  /** Starts the measured interval. */
  mark(): void;
  /** Lets the running attempts finish (each may still wait its delay), then stops. */
  stop(): Promise<HammerResult>;
}

/** `loops` loops of wrong-password logins against `user` from `client`, until stopped. */
export function startHammer(client: BenchClient, user: BenchUser, loops: number): Hammer {
  const attempts: { readonly startMs: number; readonly endMs: number }[] = [];
  const errors = new Map<string, number>();
  let stopping = false;
  let stopped: Promise<HammerResult> | undefined;
  let markMs = Number.POSITIVE_INFINITY;
  let longestMs = 0;
  const waiting: { readonly ms: number; readonly resolve: () => void }[] = [];
  const loop = async () => {
    while (!stopping) {
      const startMs = performance.now();
      try {
        await wrongPasswordLogin(client.http, user);
      } catch (error) {
        countError(errors, error);
      }
      const endMs = performance.now();
      attempts.push({ startMs, endMs });
      longestMs = Math.max(longestMs, endMs - startMs);
      for (const waiter of waiting.filter(({ ms }) => longestMs >= ms)) waiter.resolve();
    }
  };
  const running = Promise.all(Array.from({ length: loops }, loop));
  return {
    waitForDelay: async (ms) => {
      if (longestMs >= ms) return;
      const reached = new Promise<void>((resolve) => waiting.push({ ms, resolve }));
      const timeout = AbortSignal.timeout(ms * 10);
      const timedOut = new Promise<never>((_, reject) => {
        timeout.addEventListener('abort', () => {
          reject(
            new Error(
              `the login delay of ${user.username} did not reach ${ms} ms (errors: ${String([...errors])})`,
            ),
          );
        });
      });
      await Promise.race([reached, timedOut]);
    },
    mark: () => {
      markMs = performance.now();
    },
    stop() {
      stopped ??= finish();
      return stopped;
    },
  };
  async function finish(): Promise<HammerResult> {
    const stopMs = performance.now();
    stopping = true;
    await running;
    const measured = attempts
      .filter(({ startMs, endMs }) => endMs > markMs && startMs < stopMs)
      .map(({ startMs, endMs }) => endMs - startMs);
    return {
      loops,
      attempts: attempts.length,
      errors,
      measuredMs: measured,
    };
  }
}
