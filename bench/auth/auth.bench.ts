// Login benchmark of the Tresor server: server CPU per complete login, logins/s with concurrent
// clients (with and without one account being hammered with wrong passwords), and the
// client-side login time in Node with the SDK's default key stretching.
//
//   npx tsc -b && npm run bench:auth
//
// Settings (environment): BENCH_USERS practices/users created per server and logged in once per
// concurrent run (default 800, at least 400), BENCH_CLIENTS concurrent clients (default 200),
// BENCH_CPU_LOGINS sequential logins for the CPU reading (default 300), BENCH_HAMMER_LOOPS
// wrong-password loops against one account (default 1), BENCH_DEFAULT_LOGINS logins with the
// default key stretching (default 5), BENCH_STORAGES (default "embedded,postgresql").
// Progress goes to stderr; the Markdown result goes to stdout and to bench/results/auth.md.
// The exit code is 1 when any login failed unexpectedly or a server did not exit cleanly.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sampleCpuBusy } from '../lib/cpu.js';
import { integerFromEnv } from '../lib/env.js';
import { type BenchDatabase, startBenchDatabase } from '../lib/postgres.js';
import { findProcessByPortArgument } from '../lib/proc-stat.js';
import { type BenchServer, requestJson, startBenchServer, stringField } from '../lib/tresor-server.js';
import { type BenchUser, CHEAP_STRETCHING, freshUsers } from './accounts.js';
import {
  ADDRESS_GROUP,
  type CpuMeter,
  closeClients,
  cpuMeter,
  cpuUsed,
  openClient,
  openClients,
} from './clients.js';
import {
  type ConcurrentResult,
  concurrentLogins,
  createUsers,
  errorCount,
  type HammerResult,
  sequentialLogins,
  startHammer,
} from './logins.js';
import {
  type ClientSideResult,
  type Settings,
  type Storage,
  type StorageResult,
  renderReport,
} from './report.js';

const RESULT_FILE = fileURLToPath(new URL('../results/auth.md', import.meta.url));
const DATABASE_NAME = 'tresor_auth_bench';
const SETUP_CLIENTS = 8;
/** The login throttle's longest delay (login-throttle.ts). */
const MAX_THROTTLE_DELAY_MS = 5000;
const IDLE_SAMPLE_MS = 2000;

async function main(): Promise<void> {
  const settings = readSettings();
  const date = new Date();
  const results: StorageResult[] = [];
  let clientSide: ClientSideResult | undefined;
  for (const storage of settings.storages) {
    const withClientSide = clientSide === undefined;
    const run = await benchmarkStorage(storage, settings, withClientSide);
    results.push(run.result);
    clientSide ??= run.clientSide;
  }
  const report = { date, settings, results, clientSide, command: commandLine() };
  writeReport(renderReport(report));
  reportFailures(results);
}

function readSettings(): Settings {
  const storages = (process.env.BENCH_STORAGES ?? 'embedded,postgresql')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const known = (name: string): name is Storage => name === 'embedded' || name === 'postgresql';
  const unknown = storages.filter((name) => !known(name));
  if (storages.length === 0 || unknown.length > 0) {
    throw new Error(`BENCH_STORAGES: expected "embedded" and/or "postgresql", got "${unknown.join(',')}"`);
  }
  return {
    users: integerFromEnv('BENCH_USERS', 800, 400),
    clients: integerFromEnv('BENCH_CLIENTS', 200),
    cpuLogins: integerFromEnv('BENCH_CPU_LOGINS', 300),
    hammerLoops: integerFromEnv('BENCH_HAMMER_LOOPS', 1),
    defaultLogins: integerFromEnv('BENCH_DEFAULT_LOGINS', 5),
    storages: storages.filter(known),
  };
}

interface Target {
  readonly storage: Storage;
  readonly server: BenchServer;
  readonly database: BenchDatabase | undefined;
  readonly version: string;
  readonly meter: CpuMeter;
}

async function benchmarkStorage(
  storage: Storage,
  settings: Settings,
  withClientSide: boolean,
): Promise<{ result: StorageResult; clientSide: ClientSideResult | undefined }> {
  const database = storage === 'postgresql' ? await startDatabase() : undefined;
  try {
    const target = await startTarget(storage, database);
    let run: Omit<StorageResult, 'exitCode'>;
    let clientSide: ClientSideResult | undefined;
    try {
      run = await measureTarget(target, settings);
      clientSide = withClientSide ? await measureClientSide(target, settings) : undefined;
    } catch (error) {
      await target.server.stop();
      throw error;
    }
    const exitCode = await target.server.stop();
    log(`[${storage}] server stopped with exit code ${exitCode}`);
    if (exitCode !== 0) log(target.server.stderr());
    return { result: { ...run, exitCode }, clientSide };
  } finally {
    database?.stop();
  }
}

async function startDatabase(): Promise<BenchDatabase> {
  log('starting a throwaway PostgreSQL server (fsync on) ...');
  const database = await startBenchDatabase(DATABASE_NAME);
  log(database.description);
  return database;
}

async function startTarget(storage: Storage, database: BenchDatabase | undefined): Promise<Target> {
  log(`[${storage}] starting the server ...`);
  const server = await startBenchServer(database?.url);
  try {
    const info = await requestJson(`${server.url}/api/v1/info`, 200);
    if (stringField(info, 'storage') !== storage) throw new Error(`the server does not run on ${storage}`);
    const databasePid = database && findProcessByPortArgument(Number(new URL(database.url).port));
    if (database && databasePid === undefined) throw new Error('the PostgreSQL server process is not found');
    log(`[${storage}] running at ${server.url} (pid ${server.pid})`);
    const version = stringField(info, 'version');
    return { storage, server, database, version, meter: cpuMeter(server.pid, databasePid) };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function measureTarget(target: Target, settings: Settings): Promise<Omit<StorageResult, 'exitCode'>> {
  const { storage, meter } = target;
  const say = (message: string) => {
    log(`[${storage}] ${message}`);
  };
  const users = await setUpUsers(target, settings.users + 1);
  const victim = users.pop()!;

  const cpuBusyBefore = await sampleCpuBusy();
  const idleBefore = meter();
  await sleep(IDLE_SAMPLE_MS);
  const idle = cpuUsed(idleBefore, meter());
  say(
    `machine CPU busy with the server idle: ${percent(cpuBusyBefore)}; idle server ${idle.serverMs} ms CPU in 2 s`,
  );

  const sequentialUsers = await freshUsers(users, Math.min(settings.cpuLogins, users.length), say);
  say(`${sequentialUsers.length} sequential logins for the server CPU reading ...`);
  const client = openClient(target.server.url, `127.${ADDRESS_GROUP.sequential}.0.1`);
  const sequential = await sequentialLogins(client, sequentialUsers, meter).finally(() => {
    client.close();
  });
  say(
    `server CPU ${(sequential.cpu.serverMs / sequential.logins).toFixed(1)} ms per login, ` +
      `median login ${sequential.medianMs.toFixed(1)} ms, errors ${errorCount(sequential.errors)}`,
  );

  const baseline = await concurrentRun(target, users, settings, undefined);
  const hammered = await concurrentRun(target, users, settings, victim);
  return {
    storage,
    version: target.version,
    databaseDescription: target.database?.description,
    cpuBusyBefore,
    idle,
    sequential,
    baseline: baseline.result,
    hammered: hammered.result,
    hammer: hammered.hammer,
  };
}

/** Creates `count` users (practices) with the cheap key stretching, and enrols each in TOTP. */
async function setUpUsers(target: Target, count: number): Promise<BenchUser[]> {
  const names = Array.from({ length: count }, (_, i) => `bench.user.${String(i).padStart(5, '0')}`);
  const clients = openClients(target.server.url, ADDRESS_GROUP.setup, SETUP_CLIENTS);
  log(`[${target.storage}] creating ${count} practices and enrolling TOTP (cheap key stretching) ...`);
  try {
    return await createUsers(clients, names, CHEAP_STRETCHING, (done) => {
      if (done % 100 === 0 || done === count) log(`[${target.storage}]   ${done}/${count}`);
    });
  } finally {
    closeClients(clients);
  }
}

/** A concurrent run over all users; with `victim`, while it is hammered with wrong passwords. */
async function concurrentRun(
  target: Target,
  users: readonly BenchUser[],
  settings: Settings,
  victim: BenchUser | undefined,
): Promise<{ result: ConcurrentResult; hammer: HammerResult | undefined }> {
  const say = (message: string) => {
    log(`[${target.storage}] ${message}`);
  };
  const label = victim ? `while ${victim.username} is hammered with wrong passwords` : 'no hammering';
  const hammerClient = openClient(target.server.url, `127.${ADDRESS_GROUP.hammer}.0.1`);
  const hammer = victim && startHammer(hammerClient, victim, settings.hammerLoops);
  const clients = openClients(target.server.url, ADDRESS_GROUP.load, settings.clients);
  try {
    if (hammer) {
      say(`hammering ${victim.username} until its login delay reaches ${MAX_THROTTLE_DELAY_MS / 1000} s ...`);
      await hammer.waitForDelay(MAX_THROTTLE_DELAY_MS);
    }
    const fresh = await freshUsers(users, users.length, say);
    say(`${fresh.length} logins by ${settings.clients} concurrent clients, ${label} ...`);
    hammer?.mark();
    const result = await concurrentLogins(clients, fresh, target.meter);
    say(
      `${result.loginsPerSecond.toFixed(1)} logins/s, p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)}, ` +
        `errors ${errorCount(result.errors)}`,
    );
    const hammerResult = await hammer?.stop();
    if (hammerResult) {
      say(
        `hammer: ${hammerResult.attempts} wrong-password attempts, ${hammerResult.measuredAttempts} during the` +
          ` run, shortest ${ms(hammerResult.measuredMinMs)}, unexpected outcomes ${errorCount(hammerResult.errors)}`,
      );
    }
    return { result, hammer: hammerResult };
  } finally {
    await hammer?.stop();
    closeClients([...clients, hammerClient]);
  }
}

/** Logins with the SDK's default key stretching (OPAQUE's recommended Argon2id), one after the other. */
async function measureClientSide(target: Target, settings: Settings): Promise<ClientSideResult> {
  const count = settings.defaultLogins;
  const clients = openClients(target.server.url, ADDRESS_GROUP.setup, 1);
  try {
    log(`[${target.storage}] creating ${count} practices with the default key stretching ...`);
    const names = Array.from({ length: count }, (_, i) => `bench.default.${i}`);
    const users = await createUsers(clients, names, undefined, () => undefined);
    const fresh = await freshUsers(users, count, (message) => {
      log(`[${target.storage}] ${message}`);
    });
    log(`[${target.storage}] ${count} logins with the default key stretching ...`);
    const result = await sequentialLogins(clients[0]!, fresh, target.meter);
    log(`[${target.storage}] median ${ms(result.medianMs)}, errors ${errorCount(result.errors)}`);
    return { storage: target.storage, defaultStretching: result };
  } finally {
    closeClients(clients);
  }
}

function writeReport(markdown: string): void {
  mkdirSync(dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, markdown);
  process.stdout.write(markdown);
  log(`written to ${RESULT_FILE}`);
}

function reportFailures(results: readonly StorageResult[]): void {
  const failed = (message: string) => {
    log(`FAILED: ${message}`);
    process.exitCode = 1;
  };
  for (const result of results) {
    const { storage } = result;
    if (result.exitCode !== 0) failed(`[${storage}] the server exited with ${result.exitCode}`);
    for (const [name, errors] of [
      ['sequential logins', result.sequential.errors],
      ['concurrent logins', result.baseline.errors],
      ['concurrent logins while hammering', result.hammered.errors],
      ['hammer (unexpected outcomes)', result.hammer?.errors ?? new Map<string, number>()],
    ] as const) {
      if (errorCount(errors) > 0) failed(`[${storage}] ${name}: ${JSON.stringify([...errors])}`);
    }
  }
}

function commandLine(): string {
  const names = [
    'BENCH_USERS',
    'BENCH_CLIENTS',
    'BENCH_CPU_LOGINS',
    'BENCH_HAMMER_LOOPS',
    'BENCH_DEFAULT_LOGINS',
    'BENCH_STORAGES',
  ];
  const env = names
    .filter((name) => process.env[name]?.trim())
    .map((name) => `${name}=${process.env[name]?.trim() ?? ''}`);
  return [...env, 'npm run bench:auth'].join(' ');
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

await main();
