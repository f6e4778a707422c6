// The Markdown report of the login benchmark.
import type { ComponentResult } from './components.js';
import { arch, cpus, platform } from 'node:os';
import { markdownTable } from '../lib/markdown-table.js';
import { CLOCK_TICKS_PER_SECOND } from '../lib/proc-stat.js';
import { median } from '../lib/stats.js';
import type { CheckpointRun } from './checkpoints.js';
import type { CpuUsed } from './clients.js';
import {
  type ConcurrentResult,
  type ErrorCounts,
  type HammerResult,
  type SequentialResult,
  errorCount,
} from './logins.js';

export type Storage = 'embedded' | 'postgresql';

export interface Settings {
  readonly users: number;
  readonly clients: number;
  readonly cpuLogins: number;
  readonly hammerLoops: number;
  readonly defaultLogins: number;
  readonly rounds: number;
  readonly storages: readonly Storage[];
}

export interface StorageResult {
  readonly storage: Storage;
  readonly version: string;
  readonly databaseDescription: string | undefined;
  /** Share of the machine's CPU busy before the measurements, with the server idle. */
  readonly cpuBusyBefore: number;
  /** CPU used by the idle server over a short interval, for the background share. */
  readonly idle: CpuUsed;
  readonly sequential: SequentialResult;
  /** The audit checkpoint run after the sequential batch: one checkpoint per practice logged in. */
  readonly sequentialCheckpoint: CheckpointRun;
  /** The audit checkpoint run after the concurrent run without hammering. */
  readonly concurrentCheckpoint: CheckpointRun;
  /** Concurrent runs in order: without hammering, then pairs of hammered and not. */
  readonly runs: readonly ThroughputRun[];
  /** What may have disturbed the measurements. */
  readonly notes: readonly string[];
  readonly exitCode: number | null;
}

export interface ThroughputRun {
  readonly hammered: boolean;
  readonly result: ConcurrentResult;
  readonly hammer: HammerResult | undefined;
}

export interface ClientSideResult {
  /** The server the logins went to (the client-side time does not depend on it). */
  readonly storage: Storage;
  readonly defaultStretching: SequentialResult;
}

export interface Report {
  readonly date: Date;
  readonly settings: Settings;
  readonly results: readonly StorageResult[];
  readonly clientSide: ClientSideResult | undefined;
  readonly components: ComponentResult;
  readonly command: string;
}

export const TARGET_CPU_MS = 5;
/** Above this share of busy CPU with the server idle, the machine is not quiet enough to trust the numbers. */
const BUSY_WARNING = 0.1;
const STORAGE_NAMES: Record<Storage, string> = { embedded: 'Embedded (PGlite)', postgresql: 'PostgreSQL' };

export function renderReport(report: Report): string {
  const { settings, results } = report;
  const cpu = cpus();
  const first = results[0];
  const postgres = results.find((result) => result.databaseDescription !== undefined);
  return [
    '# Login benchmark: server CPU per login, logins/s, throttling isolation',
    '',
    `- Date: ${report.date.toISOString()}`,
    `- Command: \`${report.command}\` (after \`npx tsc -b\`)`,
    `- Tresor ${first?.version ?? '?'}, Node ${process.version} (${platform()} ${arch()})`,
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores, shared by the server, PostgreSQL and` +
      ' the benchmark process (which runs every client, their OPAQUE and key unwrapping included).',
    `- Machine CPU busy before the measurements, server idle: ${results.map(busyNote).join('; ')}`,
    '- Server: the built CLI (`tresor serve`), fresh data directory, LOG_LEVEL=warn, rate limiter out of' +
      ' the way (TRESOR_RATE_LIMIT=1000000000).' +
      (postgres ? ` PostgreSQL: ${postgres.databaseDescription ?? ''}, local throwaway server.` : ''),
    `- Accounts: ${settings.users} practices with one user each per server, created through the SDK` +
      " (`createPractice`); the first login of each enrolled TOTP. Logins are the SDK's `login`: OPAQUE" +
      ' start → finish (device identified) → complete (TOTP code + device signature) → keys unlocked on' +
      ' the client. A TOTP code works once per 30 s step, so every measured login uses a fresh code of the' +
      ' current step and no user logs in twice in one step.',
    '- Key stretching: accounts for the server measurements use a cheap client-side OPAQUE stretching' +
      ' (Argon2id, 1 iteration, 1 MiB, parallelism 1) so that the benchmark process can drive the server.' +
      " The server's work does not depend on it: OPAQUE's stretching runs on the client only, the server's" +
      ' OPRF evaluation and key exchange cost the same either way.',
    '- Clients: each simulated client connects from its own loopback address (127.x.y.z), as distinct' +
      ' clients would reach the server; the login throttle counts failures per account and per client IP.',
    '',
    ...componentsSection(report.components),
    ...cpuSection(results),
    ...throughputSection(results, settings),
    ...clientSideSection(report.clientSide, results),
    ...notesSection(results),
    `Server exit codes after SIGTERM: ${results.map((r) => `${STORAGE_NAMES[r.storage]} ${r.exitCode}`).join(', ')}.`,
    '',
  ].join('\n');
}

function componentsSection(components: ComponentResult): string[] {
  const rows: [string, number][] = [
    ['OPAQUE start (OPRF evaluation, key exchange message)', components.opaqueStartMs],
    ['OPAQUE finish (key confirmation)', components.opaqueFinishMs],
    ['TOTP check (unseal secret, match code)', components.totpMs],
    ['device proof (ECDSA P-256 verify, key kept imported)', components.deviceProofMs],
  ];
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  return [
    '## Authentication work per login (target ≤ 5 ms)',
    '',
    `The server's authentication steps alone, in the benchmark process (${components.logins} logins, client` +
      ' messages prepared outside the measured calls; CPU time of the process around each server call). This' +
      ' is the work the target names: "OPAQUE start+finish, TOTP check, device check". HTTP, JSON, the database' +
      ' and the audit entry come on top: see the next section for everything the server process does.',
    '',
    markdownTable(
      [{ title: 'Step' }, { title: 'CPU ms per login', align: 'right' }],
      [...rows.map(([step, ms]) => [step, ms.toFixed(3)]), ['**total**', `**${total.toFixed(2)}**`]],
    ),
    '',
    `Total ${total.toFixed(2)} ms = ${(total / TARGET_CPU_MS).toFixed(2)}x the ${TARGET_CPU_MS} ms target.`,
    '',
  ];
}

/** CPU per item of work: the server process, PostgreSQL (undefined for the embedded storage). */
interface CpuPerItem {
  readonly serverMs: number;
  readonly databaseMs: number | undefined;
}

function perItem(cpu: CpuUsed, count: number): CpuPerItem {
  return {
    serverMs: cpu.serverMs / count,
    databaseMs: cpu.databaseMs === undefined ? undefined : cpu.databaseMs / count,
  };
}

function checkpointPerPractice(run: CheckpointRun, practices: number): CpuPerItem | undefined {
  return run.seen ? perItem(run.cpu, practices) : undefined;
}

function cpuRow(storage: Storage, work: string, count: number, cpu: CpuPerItem | undefined): string[] {
  const total = cpu && cpu.serverMs + (cpu.databaseMs ?? 0);
  const database = cpu?.databaseMs;
  return [
    STORAGE_NAMES[storage],
    work,
    String(count),
    cpu ? fixed(cpu.serverMs, 2) : 'n/a',
    database === undefined ? (cpu ? 'in the server' : 'n/a') : fixed(database, 2),
    total === undefined ? 'n/a' : fixed(total, 2),
    total === undefined ? 'n/a' : ratio(total, TARGET_CPU_MS),
  ];
}

function cpuSection(results: readonly StorageResult[]): string[] {
  const rows = results.flatMap((result) => {
    const { storage, sequential } = result;
    const concurrentLogins = result.runs[0]?.result.logins ?? 0;
    const login = perItem(sequential.cpu, sequential.logins);
    const checkpoint = checkpointPerPractice(result.sequentialCheckpoint, sequential.logins);
    const both = checkpoint && {
      serverMs: login.serverMs + checkpoint.serverMs,
      databaseMs:
        login.databaseMs === undefined ? undefined : login.databaseMs + (checkpoint.databaseMs ?? 0),
    };
    return [
      cpuRow(storage, 'complete login', sequential.logins, login),
      cpuRow(storage, 'audit checkpoint of one practice', sequential.logins, checkpoint),
      cpuRow(storage, 'login + checkpoint of its practice', sequential.logins, both),
      cpuRow(
        storage,
        'audit checkpoint of one practice, after the concurrent run',
        concurrentLogins,
        checkpointPerPractice(result.concurrentCheckpoint, concurrentLogins),
      ),
    ];
  });
  const table = markdownTable(
    [
      { title: 'Storage' },
      { title: 'Work' },
      { title: 'Count', align: 'right' },
      { title: 'Server process CPU ms', align: 'right' },
      { title: 'PostgreSQL CPU ms', align: 'right' },
      { title: 'Total CPU ms', align: 'right' },
      { title: `Total / ${TARGET_CPU_MS} ms target`, align: 'right' },
    ],
    rows,
  );
  const clientView = markdownTable(
    [
      { title: 'Storage' },
      { title: 'Median login ms', align: 'right' },
      { title: 'Client CPU ms/login', align: 'right' },
      { title: 'Other load, cores', align: 'right' },
      { title: 'Idle server CPU ms/login', align: 'right' },
      { title: 'Errors' },
    ],
    results.map(({ storage, sequential, idle }) => [
      STORAGE_NAMES[storage],
      fixed(sequential.medianMs, 1),
      fixed(sequential.cpu.benchMs / sequential.logins, 1),
      cores(sequential.cpu.otherMs, sequential.cpu),
      fixed(((idle.serverMs / idle.wallMs) * sequential.cpu.wallMs) / sequential.logins, 2),
      formatErrors(sequential.errors),
    ]),
  );
  return [
    `## Server CPU per complete login (target ≤ ${TARGET_CPU_MS} ms)`,
    '',
    'Complete logins one after the other from one client, each by another user; CPU is user + system' +
      ` time from /proc/<pid>/stat (clock ticks of ${1000 / CLOCK_TICKS_PER_SECOND} ms) before and after` +
      ' the batch, divided by the number of logins. It is everything the server does for a login: HTTP and' +
      ' JSON for the three requests, database work (in the server process for the embedded storage), OPAQUE' +
      ' start and finish, the TOTP check, the device signature check, the session and audit entries. For' +
      ' PostgreSQL, its CPU (postmaster and backends) is counted separately and added to the total.',
    '',
    'Audit checkpoints come on top: once a minute the server signs a checkpoint for every practice with new' +
      ' audit entries (`audit.scheduler.ts`, 60 s, not configurable through the CLI). With one user per' +
      ' practice, every login here makes its practice due, so the benchmark keeps its batches between two' +
      ' checkpoint runs and measures the next run on its own, server otherwise idle. "Login + checkpoint" is' +
      ' the cost when each practice has one login a minute (the worst case); in a practice with more activity' +
      ' per minute the checkpoint is shared.',
    '',
    table,
    '',
    'Under concurrent load the server needs less CPU per login than in this sequential batch: see the' +
      ' CPU ms/login column of the concurrent runs below.',
    '',
    'The same sequential batch, from the client:',
    '',
    clientView,
    '',
    'Median login: wall time of one complete login in the benchmark process (cheap key stretching), server' +
      ' otherwise idle. Other load: CPU of all other processes on the machine during the batch. Idle server' +
      ' CPU: what the idle server (timers, housekeeping) used at the same rate; it is included in the server' +
      ' figures above.',
    '',
  ];
}

function throughputSection(results: readonly StorageResult[], settings: Settings): string[] {
  const rows = results.flatMap(({ storage, runs }) =>
    runs.map((run, i) =>
      throughputRow(
        storage,
        `${i + 1}. ${run.hammered ? 'one account hammered' : 'no hammering'}`,
        run.result,
      ),
    ),
  );
  const table = markdownTable(
    [
      { title: 'Storage' },
      { title: 'Run' },
      { title: 'Logins/s', align: 'right' },
      { title: 'p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'Logins in window', align: 'right' },
      { title: 'Window s', align: 'right' },
      { title: 'Server (+ PostgreSQL) CPU ms/login', align: 'right' },
      { title: 'Server CPU busy', align: 'right' },
      { title: 'PostgreSQL CPU busy', align: 'right' },
      { title: 'Bench process CPU busy', align: 'right' },
      { title: 'Other load, cores', align: 'right' },
      { title: 'Errors' },
    ],
    rows,
  );
  const isolation = markdownTable(
    [
      { title: 'Storage' },
      { title: 'Logins/s, no hammering: mean (range)', align: 'right' },
      { title: 'Logins/s, one account hammered: mean (range)', align: 'right' },
      { title: 'Ratio of means', align: 'right' },
      { title: 'Hammered mean vs runs without' },
      { title: 'Wrong-password attempts during hammered runs (per s)', align: 'right' },
      { title: 'Their shortest / median duration s', align: 'right' },
      { title: 'Unexpected hammer outcomes' },
    ],
    results.map(({ storage, runs }) => {
      const rates = (hammered: boolean) =>
        runs.filter((run) => run.hammered === hammered).map((run) => run.result.loginsPerSecond);
      const hammers = runs.flatMap((run) => (run.hammer ? [run.hammer] : []));
      const durations = hammers.flatMap((hammer) => hammer.measuredMs);
      const unexpected = new Map<string, number>();
      for (const hammer of hammers) {
        for (const [code, count] of hammer.errors) unexpected.set(code, (unexpected.get(code) ?? 0) + count);
      }
      const hammeredSeconds = runs
        .filter((run) => run.hammered)
        .reduce((sum, run) => sum + run.result.durationMs / 1000, 0);
      return [
        STORAGE_NAMES[storage],
        meanAndRange(rates(false)),
        meanAndRange(rates(true)),
        ratio(mean(rates(true)), mean(rates(false))),
        spreadVerdict(mean(rates(true)), rates(false)),
        `${durations.length} (${fixed(durations.length / hammeredSeconds, 2)})`,
        `${fixed(Math.min(...durations) / 1000, 2)} / ${fixed(median(durations) / 1000, 2)}`,
        formatErrors(unexpected),
      ];
    }),
  );
  return [
    `## Logins/s with ${settings.clients} concurrent clients`,
    '',
    `${settings.clients} clients (async loops in the benchmark process, each with its own address) log in` +
      ` ${settings.users} distinct users, each once per run; a client takes the next user as soon as its login` +
      ' is done. Logins/s counts the successful logins completed in the steady window, from the end of the' +
      ` first ${settings.clients} logins to the start of the last one (all clients busy throughout); p50/p99` +
      ' are the client-side durations of those logins (three round trips plus client-side OPAQUE and key' +
      ' unwrapping, and the wait for the busy benchmark process). CPU ms/login and CPU busy (CPU time over' +
      ' wall time, 1.00 = one core) are for the window; other load is the CPU used by all other processes on' +
      ' the machine then. Each run starts after an audit checkpoint run and ends before the next one.',
    '',
    table,
    '',
    `Throttling isolation: the hammered runs repeat the others while ${settings.hammerLoops} loop(s) from` +
      ' another address log in to one other account with a wrong password, without pause; its login delay' +
      ' (0.25 s doubling per failure) had reached the maximum of 5 s before each such run started. Runs' +
      ' alternate, so that drift (e.g. other load on the machine) hits both kinds alike. "Within their' +
      ' range": the hammered mean lies within the run-to-run spread of the runs without hammering, i.e. no' +
      ' effect shows beyond the noise of this machine.',
    '',
    isolation,
    '',
  ];
}

/** Where `value` lies relative to the range of `others`: run-to-run noise or an effect. */
function spreadVerdict(value: number, others: readonly number[]): string {
  if (others.length < 2) return 'n/a (one run without)';
  if (value < Math.min(...others)) return 'below their range';
  if (value > Math.max(...others)) return 'above their range';
  return 'within their range';
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function meanAndRange(values: readonly number[]): string {
  if (values.length < 2) return fixed(mean(values), 1);
  return `${fixed(mean(values), 1)} (${fixed(Math.min(...values), 1)}–${fixed(Math.max(...values), 1)})`;
}

function throughputRow(storage: Storage, run: string, result: ConcurrentResult): string[] {
  const busy = (cpuMs: number | undefined) => cores(cpuMs, result.cpu);
  const perLogin = (result.cpu.serverMs + (result.cpu.databaseMs ?? 0)) / result.windowLogins;
  return [
    STORAGE_NAMES[storage],
    run,
    fixed(result.loginsPerSecond, 1),
    String(Math.round(result.p50Ms)),
    String(Math.round(result.p99Ms)),
    String(result.windowLogins),
    fixed(result.cpu.wallMs / 1000, 1),
    fixed(perLogin, 1),
    busy(result.cpu.serverMs),
    busy(result.cpu.databaseMs),
    busy(result.cpu.benchMs),
    busy(result.cpu.otherMs),
    formatErrors(result.errors),
  ];
}

function clientSideSection(
  clientSide: ClientSideResult | undefined,
  results: readonly StorageResult[],
): string[] {
  const cheap = results.find((result) => result.storage === clientSide?.storage)?.sequential;
  if (clientSide === undefined || cheap === undefined) return [];
  const standard = clientSide.defaultStretching;
  const row = (name: string, result: SequentialResult) => [
    name,
    String(result.logins),
    fixed(result.medianMs, 0),
    fixed(result.cpu.benchMs / result.logins, 0),
    formatErrors(result.errors),
  ];
  const table = markdownTable(
    [
      { title: 'Key stretching' },
      { title: 'Logins', align: 'right' },
      { title: 'Median login ms', align: 'right' },
      { title: 'Client CPU ms/login', align: 'right' },
      { title: 'Errors' },
    ],
    [
      row('SDK default: Argon2id 64 MiB, 3 iterations, parallelism 4', standard),
      row('Benchmark: Argon2id 1 MiB, 1 iteration, parallelism 1', cheap),
    ],
  );
  const stretching = standard.medianMs - cheap.medianMs;
  return [
    '## Client-side login time in Node',
    '',
    `Complete logins one after the other, each by a different user, against the ${STORAGE_NAMES[clientSide.storage]}` +
      ' server, otherwise idle. The second row is the sequential batch above.' +
      " The SDK's default is OPAQUE's (`@serenity-kit/opaque`) memory-constrained Argon2id; it runs once" +
      ' per login, in `finishLogin` on the client.',
    '',
    table,
    '',
    `Argon2id share: the default login takes ${fixed(stretching, 0)} ms longer than the same login with the` +
      ` cheap stretching, i.e. ${ratioPercent(stretching, standard.medianMs)} of the default login is key` +
      ' stretching (the cheap stretching itself takes a few milliseconds, so this is close to the full' +
      ' Argon2id time).',
    '',
  ];
}

/** CPU time over wall time: 1.00 is one core busy throughout. */
function cores(cpuMs: number | undefined, cpu: CpuUsed): string {
  return cpuMs === undefined || cpu.wallMs <= 0 ? 'n/a' : fixed(cpuMs / cpu.wallMs, 2);
}

function notesSection(results: readonly StorageResult[]): string[] {
  const notes = results.flatMap(({ storage, notes }) =>
    notes.map((note) => `- ${STORAGE_NAMES[storage]}: ${note}.`),
  );
  return notes.length === 0 ? [] : ['Measurement notes:', '', ...notes, ''];
}

function busyNote(result: StorageResult): string {
  const warning =
    result.cpuBusyBefore > BUSY_WARNING ? ' (other load on the machine: numbers are noisy)' : '';
  return `${STORAGE_NAMES[result.storage]} ${Math.round(result.cpuBusyBefore * 100)}%${warning}`;
}

function formatErrors(errors: ErrorCounts): string {
  if (errorCount(errors) === 0) return '0';
  // Table cells: no pipes or line breaks.
  return [...errors].map(([code, count]) => `${code.replace(/[|\r\n]+/g, ' ')}: ${count}`).join(', ');
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function ratio(value: number, base: number): string {
  return base > 0 ? `${(value / base).toFixed(2)}x` : 'n/a';
}

function ratioPercent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : 'n/a';
}
