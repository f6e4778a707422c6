// HTTP benchmark of the Tresor server: embedded storage (PGlite) vs PostgreSQL, side by side.
//
//   npx tsc -b && npm run bench:http
//
// Settings (environment): BENCH_DURATION seconds measured per case (default 10), BENCH_WARMUP
// seconds of unmeasured warm-up per case (default 2), BENCH_CONNECTIONS (default 50).
// Both servers run at once, idle while the other one is measured; each route is measured on the
// embedded server and right after on the PostgreSQL one, so background load hits both alike.
// Progress goes to stderr; the Markdown result goes to stdout and to bench/results/http.md.
// The exit code is 1 when any request failed (non-2xx or connection error); the table says which.
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleCpuBusy } from '../lib/cpu.js';
import { integerFromEnv } from '../lib/env.js';
import {
  type Failures,
  type LoadRequest,
  type LoadSettings,
  type Measurement,
  failureCount,
  measure,
} from '../lib/load.js';
import { markdownTable } from '../lib/markdown-table.js';
import { startBenchDatabase } from '../lib/postgres.js';
import { type BenchServer, requestJson, startBenchServer, stringField } from '../lib/tresor-server.js';

const RESULT_FILE = fileURLToPath(new URL('../results/http.md', import.meta.url));
const DATABASE_NAME = 'tresor_bench';
const PRACTICE_ID = 'b0000000-0000-4000-8000-00000000be4c';
const PROBES_PATH = `/api/v1/diagnostics/practices/${PRACTICE_ID}/probes`;
/** Above this share of busy CPU with both servers idle, the machine is not quiet enough to trust the numbers. */
const BUSY_WARNING = 0.1;

interface BenchCase {
  readonly route: string;
  readonly what: string;
  request(probeId: string): LoadRequest;
}

const CASES: readonly BenchCase[] = [
  {
    route: 'GET /healthz',
    what: 'no database',
    request: () => ({ method: 'GET', path: '/healthz' }),
  },
  {
    route: 'GET /api/v1/info',
    what: 'database read of the migration table',
    request: () => ({ method: 'GET', path: '/api/v1/info' }),
  },
  {
    route: 'GET /api/v1/diagnostics/practices/:practiceId/probes/:probeId',
    what: 'one row read in a tenant transaction with row-level security (begin; set_config; select; commit)',
    request: (probeId) => ({ method: 'GET', path: `${PROBES_PATH}/${probeId}` }),
  },
  {
    route: 'POST /api/v1/diagnostics/practices/:practiceId/probes',
    what: 'one row insert in a tenant transaction, committed per request',
    request: () => ({ method: 'POST', path: PROBES_PATH, json: { body: 'benchmark' } }),
  },
];

const STORAGES = ['embedded', 'postgresql'] as const;
type Storage = (typeof STORAGES)[number];
type PerStorage<T> = Record<Storage, T>;

/** A running server, checked to use `storage`, with one probe row to read. */
interface Target {
  readonly storage: Storage;
  readonly server: BenchServer;
  readonly version: string;
  readonly probeId: string;
}

interface CaseResult {
  readonly benchCase: BenchCase;
  readonly measurements: PerStorage<Measurement>;
}

interface Report {
  readonly date: Date;
  readonly settings: LoadSettings;
  readonly serverVersion: string;
  readonly postgres: string;
  /** Share of CPU busy before the run, with both servers up and idle. */
  readonly cpuBusyBefore: number;
  readonly results: readonly CaseResult[];
  /** Exit codes of the servers after SIGTERM. */
  readonly exitCodes: PerStorage<number | null>;
}

async function main(): Promise<void> {
  const settings: LoadSettings = {
    connections: integerFromEnv('BENCH_CONNECTIONS', 50),
    durationSeconds: integerFromEnv('BENCH_DURATION', 10),
    warmupSeconds: integerFromEnv('BENCH_WARMUP', 2, 0),
  };
  const date = new Date();
  log('starting a throwaway PostgreSQL server (fsync on) ...');
  const database = await startBenchDatabase(DATABASE_NAME);
  try {
    log(database.description);
    const run = await benchmarkServers(database.url, settings);
    const report: Report = { date, settings, postgres: database.description, ...run };
    writeReport(renderReport(report));
    reportFailures(report);
  } finally {
    database.stop();
  }
}

type ServersRun = Omit<Report, 'date' | 'settings' | 'postgres'>;

/** Starts both servers, measures every case on both, stops them (also on error). */
async function benchmarkServers(databaseUrl: string, settings: LoadSettings): Promise<ServersRun> {
  const started: Target[] = [];
  let run: Omit<ServersRun, 'exitCodes'>;
  let targets: PerStorage<Target>;
  try {
    const embedded = await startTarget('embedded');
    started.push(embedded);
    const postgresql = await startTarget('postgresql', databaseUrl);
    started.push(postgresql);
    targets = { embedded, postgresql };
    const cpuBusyBefore = await checkMachineIsQuiet();
    const results: CaseResult[] = [];
    for (const benchCase of CASES) results.push(await measureCase(benchCase, targets, settings));
    run = { serverVersion: embedded.version, cpuBusyBefore, results };
  } catch (error) {
    await Promise.allSettled(started.map(stopTarget));
    throw error;
  }
  const exitCodes = {
    embedded: await stopTarget(targets.embedded),
    postgresql: await stopTarget(targets.postgresql),
  };
  return { ...run, exitCodes };
}

async function startTarget(storage: Storage, databaseUrl?: string): Promise<Target> {
  log(`[${storage}] starting the server ...`);
  const server = await startBenchServer(databaseUrl);
  try {
    const version = await checkStorage(server, storage);
    const probeId = await createProbe(server);
    log(`[${storage}] running at ${server.url}`);
    return { storage, server, version, probeId };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function stopTarget(target: Target): Promise<number | null> {
  const exitCode = await target.server.stop();
  log(`[${target.storage}] server stopped with exit code ${exitCode}`);
  if (exitCode !== 0) log(target.server.stderr());
  return exitCode;
}

/** Confirms that the server runs on the expected storage; returns its version. */
async function checkStorage(server: BenchServer, expected: Storage): Promise<string> {
  const info = await requestJson(`${server.url}/api/v1/info`, 200);
  const storage = stringField(info, 'storage');
  if (storage !== expected)
    throw new Error(`expected storage "${expected}", the server reports "${storage}"`);
  return stringField(info, 'version');
}

async function createProbe(server: BenchServer): Promise<string> {
  const probe = await requestJson(`${server.url}${PROBES_PATH}`, 201, {
    method: 'POST',
    json: { body: 'benchmark' },
  });
  return stringField(probe, 'id');
}

async function checkMachineIsQuiet(): Promise<number> {
  const busy = await sampleCpuBusy();
  log(`CPU busy with both servers idle: ${formatPercent(busy)}`);
  if (busy > BUSY_WARNING) log('WARNING: something else keeps the machine busy; the numbers will be noisy');
  return busy;
}

async function measureCase(
  benchCase: BenchCase,
  targets: PerStorage<Target>,
  settings: LoadSettings,
): Promise<CaseResult> {
  const measureOn = async (target: Target): Promise<Measurement> => {
    const seconds = `${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s`;
    log(`[${target.storage}] ${benchCase.route}: ${settings.connections} connections, ${seconds} ...`);
    const measurement = await measure(target.server.url, benchCase.request(target.probeId), settings);
    log(`[${target.storage}] ${benchCase.route}: ${summary(measurement)}`);
    return measurement;
  };
  const embedded = await measureOn(targets.embedded);
  const postgresql = await measureOn(targets.postgresql);
  return { benchCase, measurements: { embedded, postgresql } };
}

function summary(measurement: Measurement): string {
  return (
    `${formatRate(measurement.requestsPerSecond)} req/s, p50 ${formatMs(measurement.latencyP50Ms)} ms,` +
    ` p99 ${formatMs(measurement.latencyP99Ms)} ms, failures: ${formatMeasurementFailures(measurement)}`
  );
}

function renderReport(report: Report): string {
  const { settings } = report;
  const cpu = cpus();
  const rows = report.results.map(({ benchCase, measurements: { embedded, postgresql } }) => [
    `\`${benchCase.route}\``,
    formatRate(embedded.requestsPerSecond),
    formatMs(embedded.latencyP50Ms),
    formatMs(embedded.latencyP99Ms),
    formatRate(postgresql.requestsPerSecond),
    formatMs(postgresql.latencyP50Ms),
    formatMs(postgresql.latencyP99Ms),
    formatRatio(postgresql.requestsPerSecond, embedded.requestsPerSecond),
    `${formatMeasurementFailures(embedded)} / ${formatMeasurementFailures(postgresql)}`,
  ]);
  const table = markdownTable(
    [
      { title: 'Route' },
      { title: 'Embedded req/s', align: 'right' },
      { title: 'Embedded p50 ms', align: 'right' },
      { title: 'Embedded p99 ms', align: 'right' },
      { title: 'PostgreSQL req/s', align: 'right' },
      { title: 'PostgreSQL p50 ms', align: 'right' },
      { title: 'PostgreSQL p99 ms', align: 'right' },
      { title: 'PostgreSQL / embedded req/s', align: 'right' },
      { title: 'Failures (embedded / PostgreSQL)' },
    ],
    rows,
  );
  const busyNote =
    report.cpuBusyBefore > BUSY_WARNING ? ' (other load on the machine: numbers are noisy)' : '';
  return [
    '# HTTP benchmark: embedded storage (PGlite) vs PostgreSQL',
    '',
    `- Date: ${report.date.toISOString()}`,
    `- Command: \`${commandLine()}\``,
    `- Tresor ${report.serverVersion}, Node ${process.version} (${platform()} ${arch()})`,
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores. The load generator (autocannon), the servers` +
      ` and PostgreSQL run on the same machine and share these ${cpu.length} cores.`,
    `- CPU busy before the run, both servers idle: ${formatPercent(report.cpuBusyBefore)}${busyNote}`,
    `- Load: autocannon, ${settings.connections} connections, pipelining 1, ${settings.durationSeconds} s measured` +
      ` per route and storage after ${settings.warmupSeconds} s warm-up; req/s is the mean of the per-second` +
      ' counts. Latency resolution is 1 ms.',
    '- Servers: the built CLI (`tresor serve`), one process and fresh data directory per storage, both running' +
      ' throughout; each route is measured on the embedded one, then on the PostgreSQL one. LOG_LEVEL=warn,' +
      ' TRESOR_DIAGNOSTICS=true, rate limiter out of the way (TRESOR_RATE_LIMIT=1000000000).',
    `- Embedded: PGlite inside the server process. PostgreSQL: ${report.postgres}, local throwaway server over` +
      ' TCP loopback.',
    '',
    table,
    '',
    'Routes:',
    '',
    ...report.results.map(({ benchCase }) => `- \`${benchCase.route}\`: ${benchCase.what}.`),
    '',
    'Failures are non-2xx responses and connection errors, in the measured run and (marked) in the warm-up.',
    `Server exit codes after SIGTERM: embedded ${report.exitCodes.embedded}, PostgreSQL ${report.exitCodes.postgresql}.`,
    '',
  ].join('\n');
}

function writeReport(markdown: string): void {
  mkdirSync(dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, markdown);
  process.stdout.write(markdown);
  log(`written to ${RESULT_FILE}`);
}

/** Lists every failure on stderr and sets exit code 1 if there was any. */
function reportFailures(report: Report): void {
  const failed = (message: string) => {
    log(`FAILED: ${message}`);
    process.exitCode = 1;
  };
  for (const storage of STORAGES) {
    const exitCode = report.exitCodes[storage];
    if (exitCode !== 0) failed(`[${storage}] the server exited with ${exitCode}`);
    for (const { benchCase, measurements } of report.results) {
      const measurement = measurements[storage];
      if (failureCount(measurement.failures) + failureCount(measurement.warmupFailures) > 0) {
        failed(`[${storage}] ${benchCase.route}: ${formatMeasurementFailures(measurement)}`);
      }
    }
  }
}

function commandLine(): string {
  const env = ['BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS']
    .filter((name) => process.env[name]?.trim())
    .map((name) => `${name}=${process.env[name]?.trim() ?? ''}`);
  return [...env, 'npm run bench:http'].join(' ');
}

function formatMeasurementFailures(measurement: Measurement): string {
  const measured = formatFailures(measurement.failures);
  if (failureCount(measurement.warmupFailures) === 0) return measured;
  return `${measured}; warm-up: ${formatFailures(measurement.warmupFailures)}`;
}

function formatFailures(failures: Failures): string {
  if (failureCount(failures) === 0) return '0';
  const parts: string[] = [];
  if (failures.non2xx > 0) {
    const statuses = Object.entries(failures.byStatus).map(([status, count]) => `${status}: ${count}`);
    parts.push(`${failures.non2xx} non-2xx (${statuses.join(', ')})`);
  }
  if (failures.errors > 0) parts.push(`${failures.errors} errors (${failures.timeouts} timeouts)`);
  return parts.join(', ');
}

function formatRate(requestsPerSecond: number): string {
  return Math.round(requestsPerSecond).toLocaleString('en-US');
}

function formatMs(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(2);
}

function formatRatio(value: number, base: number): string {
  return base > 0 ? `${(value / base).toFixed(2)}x` : 'n/a';
}

function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

await main();
