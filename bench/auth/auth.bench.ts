// Login benchmark of the Tresor server: server CPU per complete login (and per audit checkpoint),
// logins/s with concurrent clients, alternately without and with one account being hammered with
// wrong passwords, and the client-side login time in Node with the SDK's default key stretching.
// One server at a time, each with a fresh data directory; the measured batches are kept between
// two of the server's audit checkpoint runs (checkpoints.ts), and every user logs in at most once
// per TOTP time step (accounts.ts). Takes about 20 minutes with the defaults.
//
//   npx tsc -b && npm run bench:auth
//
// Settings (environment): BENCH_USERS practices/users created per server and logged in once per
// concurrent run (default 800, at least 3 per client), BENCH_CLIENTS concurrent clients (default 200),
// BENCH_CPU_LOGINS sequential logins for the CPU reading (default 300), BENCH_HAMMER_LOOPS
// wrong-password loops against one account (default 1), BENCH_DEFAULT_LOGINS logins with the
// default key stretching (default 5), BENCH_ROUNDS pairs of runs (hammered, not hammered) after
// the first run without hammering (default 2), BENCH_STORAGES (default "embedded,postgresql").
// Progress goes to stderr; the Markdown result goes to stdout and to bench/results/auth.md.
// The exit code is 1 when any login failed unexpectedly or a server did not exit cleanly.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sampleCpuBusy } from '../lib/cpu.js';
import { integerFromEnv } from '../lib/env.js';
import { type BenchDatabase, startBenchDatabase } from '../lib/postgres.js';
import { findProcessByPortArgument } from '../lib/proc-stat.js';
import { type BenchServer, requestJson, startBenchServer, stringField } from '../lib/tresor-server.js';
import { type BenchUser, CHEAP_STRETCHING, freshUsers } from './accounts.js';
import { measureLoginComponents } from './components.js';
import { type CheckpointRun, CheckpointCycle } from './checkpoints.js';
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
  concurrentLogins,
  createUsers,
  type ErrorCounts,
  errorCount,
  type Hammer,
  sequentialLogins,
  startHammer,
} from './logins.js';
import {
  type ClientSideResult,
  type Settings,
  type Storage,
  type StorageResult,
  type ThroughputRun,
  renderReport,
} from './report.js';

const RESULT_FILE = fileURLToPath(new URL('../results/auth.md', import.meta.url));
const DATABASE_NAME = 'tresor_auth_bench';
const SETUP_CLIENTS = 8;
/** The login throttle's longest delay (login-throttle.ts). */
const MAX_THROTTLE_DELAY_MS = 5000;
const IDLE_SAMPLE_MS = 2000;
/** Generous duration of one sequential login, to keep the batch clear of audit checkpoint runs. */
const SEQUENTIAL_ESTIMATE_MS = 100;

async function main(): Promise<void> {
  const settings = readSettings();
  const date = new Date();
  process.stderr.write(`authentication work of ${settings.cpuLogins} logins, in-process ...\n`);
  const components = await measureLoginComponents(settings.cpuLogins);
  const results: StorageResult[] = [];
  let clientSide: ClientSideResult | undefined;
  for (const storage of settings.storages) {
    const withClientSide = clientSide === undefined;
    const run = await benchmarkStorage(storage, settings, withClientSide);
    results.push(run.result);
    clientSide ??= run.clientSide;
  }
  const report = { date, settings, results, clientSide, components, command: commandLine() };
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
  const clients = integerFromEnv('BENCH_CLIENTS', 200);
  // A concurrent run needs at least 3 users per client (logins.ts).
  return {
    users: integerFromEnv('BENCH_USERS', 800, 3 * clients),
    clients,
    cpuLogins: integerFromEnv('BENCH_CPU_LOGINS', 300),
    hammerLoops: integerFromEnv('BENCH_HAMMER_LOOPS', 1),
    defaultLogins: integerFromEnv('BENCH_DEFAULT_LOGINS', 5),
    rounds: integerFromEnv('BENCH_ROUNDS', 2),
    storages: storages.filter(known),
  };
}

interface Target {
  readonly storage: Storage;
  readonly server: BenchServer;
  readonly database: BenchDatabase | undefined;
  readonly version: string;
  readonly meter: CpuMeter;
  /** performance.now() when the server said it was running (its audit checkpoint timer started just before). */
  readonly startedAtMs: number;
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
  const startedAtMs = performance.now();
  try {
    const info = await requestJson(`${server.url}/api/v1/info`, 200);
    if (stringField(info, 'storage') !== storage) throw new Error(`the server does not run on ${storage}`);
    const databasePid = database && findProcessByPortArgument(Number(new URL(database.url).port));
    if (database && databasePid === undefined) throw new Error('the PostgreSQL server process is not found');
    log(`[${storage}] running at ${server.url} (pid ${server.pid})`);
    const version = stringField(info, 'version');
    return { storage, server, database, version, meter: cpuMeter(server.pid, databasePid), startedAtMs };
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
  const notes: string[] = [];
  const cycle = new CheckpointCycle(meter, target.startedAtMs);
  const users = await setUpUsers(target, settings.users + 1);
  const victim = users.pop()!;

  const sequentialUsers = await freshUsers(users, Math.min(settings.cpuLogins, users.length), say);
  say('waiting for the audit checkpoint run after the setup ...');
  noteCheckpoint(await cycle.measureNext(), 'after the setup', notes, say);
  const cpuBusyBefore = await sampleCpuBusy();
  const idleBefore = meter();
  await sleep(IDLE_SAMPLE_MS);
  const idle = cpuUsed(idleBefore, meter());
  say(
    `machine CPU busy with the server idle: ${percent(cpuBusyBefore)}; idle server ${idle.serverMs} ms CPU in 2 s`,
  );

  say(`${sequentialUsers.length} sequential logins for the server CPU reading ...`);
  await cycle.makeRoom(sequentialUsers.length * SEQUENTIAL_ESTIMATE_MS);
  const client = openClient(target.server.url, `127.${ADDRESS_GROUP.sequential}.0.1`);
  const sequentialStart = performance.now();
  const sequential = await sequentialLogins(client, sequentialUsers, meter).finally(() => {
    client.close();
  });
  if (cycle.covers(sequentialStart, performance.now())) {
    notes.push('the sequential batch may have overlapped an audit checkpoint run');
  }
  say(
    `server CPU ${(sequential.cpu.serverMs / sequential.logins).toFixed(1)} ms per login, ` +
      `median login ${sequential.medianMs.toFixed(1)} ms, errors ${errorCount(sequential.errors)}`,
  );
  say(`waiting for the audit checkpoint run of those ${sequential.logins} practices ...`);
  const sequentialCheckpoint = await cycle.measureNext();
  noteCheckpoint(sequentialCheckpoint, `of the ${sequential.logins} practices`, notes, say);

  const perLoginMs = (sequential.cpu.serverMs + (sequential.cpu.databaseMs ?? 0)) / sequential.logins;
  const first = await concurrentRun(target, users, settings, undefined, {
    cycle,
    estimateMs: users.length * perLoginMs * 1.5 + 5000,
    notes,
  });
  const runs: ThroughputRun[] = [first];
  const nextCheckpoint = async () => {
    say(`waiting for the audit checkpoint run of those ${users.length} practices ...`);
    const checkpoint = await cycle.measureNext();
    noteCheckpoint(checkpoint, `of the ${users.length} practices`, notes, say);
    return checkpoint;
  };
  const timing = { cycle, estimateMs: first.result.durationMs * 1.3, notes };
  let concurrentCheckpoint: CheckpointRun | undefined;
  // Every run starts right after a checkpoint run, so both kinds sit alike in the 60 s cycle: the
  // hammer starts, and its delay grows, before the wait (its few attempts add ~0.1% to that run).
  for (let round = 1; round <= settings.rounds; round++) {
    const hammered = await withHammer(target, victim, settings.hammerLoops, async (hammer) => {
      const checkpoint = await nextCheckpoint();
      concurrentCheckpoint ??= checkpoint;
      return concurrentRun(target, users, settings, hammer, timing);
    });
    runs.push(hammered);
    await nextCheckpoint();
    runs.push(await concurrentRun(target, users, settings, undefined, timing));
  }
  if (concurrentCheckpoint === undefined) throw new Error('BENCH_ROUNDS must be at least 1');
  return {
    storage,
    version: target.version,
    databaseDescription: target.database?.description,
    cpuBusyBefore,
    idle,
    sequential,
    sequentialCheckpoint,
    concurrentCheckpoint,
    runs,
    notes,
  };
}

function noteCheckpoint(
  run: CheckpointRun,
  what: string,
  notes: string[],
  say: (message: string) => void,
): void {
  if (!run.seen) {
    notes.push(`no audit checkpoint run ${what} was seen where one was expected`);
    say(`no checkpoint run ${what} seen`);
    return;
  }
  const cpuMs = run.cpu.serverMs + (run.cpu.databaseMs ?? 0);
  say(
    `checkpoint run ${what}: ${Math.round(cpuMs)} ms CPU, ${(run.offsetMs / 1000).toFixed(1)} s off the prediction`,
  );
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

interface RunTiming {
  readonly cycle: CheckpointCycle;
  /** Expected duration of the run, to keep it clear of the next audit checkpoint run. */
  readonly estimateMs: number;
  readonly notes: string[];
}

/** A wrong-password hammer on one account, running while `body` runs. */
interface RunningHammer {
  readonly victim: BenchUser;
  readonly hammer: Hammer;
}

/** Starts hammering `victim`, waits until its login delay is at the maximum, runs `body`, stops. */
async function withHammer(
  target: Target,
  victim: BenchUser,
  loops: number,
  body: (hammer: RunningHammer) => Promise<ThroughputRun>,
): Promise<ThroughputRun> {
  const client = openClient(target.server.url, `127.${ADDRESS_GROUP.hammer}.0.1`);
  const hammer = startHammer(client, victim, loops);
  try {
    log(
      `[${target.storage}] hammering ${victim.username} until its login delay reaches ${MAX_THROTTLE_DELAY_MS / 1000} s ...`,
    );
    await hammer.waitForDelay(MAX_THROTTLE_DELAY_MS);
    const run = await body({ victim, hammer });
    const result = await hammer.stop();
    log(
      `[${target.storage}] hammer: ${result.attempts} wrong-password attempts, ${result.measuredMs.length} during the` +
        ` run, shortest ${ms(Math.min(...result.measuredMs))}, unexpected outcomes ${errorCount(result.errors)}`,
    );
    return { ...run, hammer: result };
  } finally {
    await hammer.stop();
    client.close();
  }
}

/** A concurrent run over all users; with `running`, while its victim is hammered with wrong passwords. */
async function concurrentRun(
  target: Target,
  users: readonly BenchUser[],
  settings: Settings,
  running: RunningHammer | undefined,
  timing: RunTiming,
): Promise<ThroughputRun> {
  const say = (message: string) => {
    log(`[${target.storage}] ${message}`);
  };
  const label = running
    ? `while ${running.victim.username} is hammered with wrong passwords`
    : 'no hammering';
  const clients = openClients(target.server.url, ADDRESS_GROUP.load, settings.clients);
  try {
    const fresh = await freshUsers(users, users.length, say);
    await timing.cycle.makeRoom(timing.estimateMs);
    say(`${fresh.length} logins by ${settings.clients} concurrent clients, ${label} ...`);
    running?.hammer.mark();
    const start = performance.now();
    const result = await concurrentLogins(clients, fresh, target.meter);
    if (timing.cycle.covers(start, performance.now())) {
      timing.notes.push(`the concurrent run (${label}) may have overlapped an audit checkpoint run`);
    }
    say(
      `${result.loginsPerSecond.toFixed(1)} logins/s, p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)}, ` +
        `errors ${errorCount(result.errors)}`,
    );
    return { hammered: running !== undefined, result, hammer: undefined };
  } finally {
    closeClients(clients);
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
    const checks: [string, ErrorCounts][] = [['sequential logins', result.sequential.errors]];
    result.runs.forEach((run, i) => {
      checks.push([`concurrent run ${i + 1}`, run.result.errors]);
      if (run.hammer) checks.push([`hammer in run ${i + 1} (unexpected outcomes)`, run.hammer.errors]);
    });
    for (const [name, errors] of checks) {
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
    'BENCH_ROUNDS',
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
