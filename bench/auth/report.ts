// The Markdown report of the login benchmark.
import { arch, cpus, platform } from 'node:os';
import { markdownTable } from '../lib/markdown-table.js';
import { CLOCK_TICKS_PER_SECOND } from '../lib/proc-stat.js';
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
  readonly baseline: ConcurrentResult;
  readonly hammered: ConcurrentResult;
  readonly hammer: HammerResult | undefined;
  readonly exitCode: number | null;
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
    ...cpuSection(results),
    ...throughputSection(results, settings),
    ...clientSideSection(report.clientSide, results),
    `Server exit codes after SIGTERM: ${results.map((r) => `${STORAGE_NAMES[r.storage]} ${r.exitCode}`).join(', ')}.`,
    '',
  ].join('\n');
}

function cpuSection(results: readonly StorageResult[]): string[] {
  const rows = results.map(({ storage, sequential }) => {
    const server = sequential.cpu.serverMs / sequential.logins;
    const database =
      sequential.cpu.databaseMs === undefined ? undefined : sequential.cpu.databaseMs / sequential.logins;
    return [
      STORAGE_NAMES[storage],
      String(sequential.logins),
      fixed(server, 2),
      database === undefined ? 'in the server process' : fixed(database, 2),
      ratio(server, TARGET_CPU_MS),
      database === undefined ? ratio(server, TARGET_CPU_MS) : ratio(server + database, TARGET_CPU_MS),
      fixed(sequential.medianMs, 1),
      fixed(sequential.cpu.benchMs / sequential.logins, 1),
      cores(sequential.cpu.otherMs, sequential.cpu),
      formatErrors(sequential.errors),
    ];
  });
  const table = markdownTable(
    [
      { title: 'Storage' },
      { title: 'Logins', align: 'right' },
      { title: 'Server process CPU ms/login', align: 'right' },
      { title: 'PostgreSQL CPU ms/login', align: 'right' },
      { title: `Server / ${TARGET_CPU_MS} ms target`, align: 'right' },
      { title: 'Incl. database / target', align: 'right' },
      { title: 'Median login ms (client view)', align: 'right' },
      { title: 'Client CPU ms/login', align: 'right' },
      { title: 'Other load, cores', align: 'right' },
      { title: 'Errors' },
    ],
    rows,
  );
  const background = results.map(({ storage, idle, sequential }) => {
    const perLogin = ((idle.serverMs / idle.wallMs) * sequential.cpu.wallMs) / sequential.logins;
    return `${STORAGE_NAMES[storage]} ${fixed(perLogin, 2)} ms`;
  });
  return [
    `## Server CPU per complete login (target ≤ ${TARGET_CPU_MS} ms)`,
    '',
    'Complete logins one after the other from one client; CPU is user + system time of the server' +
      ` process from /proc/<pid>/stat (clock ticks of ${1000 / CLOCK_TICKS_PER_SECOND} ms) before and after` +
      ' the batch, divided by the number of logins. It is everything the server does for a login: HTTP and' +
      ' JSON for the three requests, database work (in the server process for the embedded storage), OPAQUE' +
      ' start and finish, the TOTP check, the device signature check, the session and audit entries. For' +
      ' PostgreSQL, the database CPU (postmaster and backends) is counted separately. Other load: CPU used' +
      ' by all other processes on the machine during the batch, in cores.',
    '',
    table,
    '',
    `Background: the idle server used CPU at a rate that amounts to ${background.join(', ')} per login` +
      ' over the same time (timers, housekeeping); it is included above.',
    '',
  ];
}

function throughputSection(results: readonly StorageResult[], settings: Settings): string[] {
  const rows = results.flatMap(({ storage, baseline, hammered }) => [
    throughputRow(storage, 'no hammering', baseline),
    throughputRow(storage, 'one account hammered', hammered),
  ]);
  const table = markdownTable(
    [
      { title: 'Storage' },
      { title: 'Run' },
      { title: 'Logins/s', align: 'right' },
      { title: 'p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'Logins in window', align: 'right' },
      { title: 'Window s', align: 'right' },
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
      { title: 'Logins/s, no hammering', align: 'right' },
      { title: 'Logins/s, one account hammered', align: 'right' },
      { title: 'Ratio', align: 'right' },
      { title: 'Wrong-password attempts during the run', align: 'right' },
      { title: 'Their shortest / median duration s', align: 'right' },
      { title: 'Unexpected hammer outcomes' },
    ],
    results.map(({ storage, baseline, hammered, hammer }) => [
      STORAGE_NAMES[storage],
      fixed(baseline.loginsPerSecond, 1),
      fixed(hammered.loginsPerSecond, 1),
      ratio(hammered.loginsPerSecond, baseline.loginsPerSecond),
      String(hammer?.measuredAttempts ?? 0),
      hammer
        ? `${fixed(hammer.measuredMinMs / 1000, 2)} / ${fixed(hammer.measuredMedianMs / 1000, 2)}`
        : 'n/a',
      hammer ? formatErrors(hammer.errors) : 'n/a',
    ]),
  );
  return [
    `## Logins/s with ${settings.clients} concurrent clients`,
    '',
    `${settings.clients} clients (async loops in the benchmark process, each with its own address) log in` +
      ` ${settings.users} distinct users, each once; a client takes the next user as soon as its login is` +
      ' done. Logins/s counts the successful logins completed in the steady window, from the end of the' +
      ` first ${settings.clients} logins to the start of the last one (all clients busy throughout); p50/p99` +
      ' are the client-side durations of those logins (three round trips plus client-side OPAQUE and key' +
      ' unwrapping, and the wait for the busy benchmark process). CPU busy is CPU time over wall time in the' +
      ' window (1.00 = one core); other load is the CPU used by all other processes on the machine then.',
    '',
    table,
    '',
    `Throttling isolation: the second run repeats the first while ${settings.hammerLoops} loop(s) from another` +
      ' address log in to one other account with a wrong password, without pause. Its login delay' +
      ' (0.25 s doubling per failure) had reached the maximum of 5 s before the run started.',
    '',
    isolation,
    '',
  ];
}

function throughputRow(storage: Storage, run: string, result: ConcurrentResult): string[] {
  const busy = (cpuMs: number | undefined) => cores(cpuMs, result.cpu);
  return [
    STORAGE_NAMES[storage],
    run,
    fixed(result.loginsPerSecond, 1),
    String(Math.round(result.p50Ms)),
    String(Math.round(result.p99Ms)),
    String(result.windowLogins),
    fixed(result.cpu.wallMs / 1000, 1),
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
      ' server on this machine with no other load. The second row is the sequential batch above.' +
      " The SDK's default is OPAQUE's (`@serenity-kit/opaque`) memory-constrained Argon2id; it runs once" +
      ' per login, in `finishLogin` on the client.',
    '',
    table,
    '',
    `Argon2id share: the default login takes ${fixed(stretching, 0)} ms longer than the same login with the` +
      ` cheap stretching, i.e. ${ratioPercent(stretching, standard.medianMs)} of the default login is key` +
      ' stretching (the cheap one costs about a millisecond, so this is close to the full Argon2id time).',
    '',
  ];
}

/** CPU time over wall time: 1.00 is one core busy throughout. */
function cores(cpuMs: number | undefined, cpu: CpuUsed): string {
  return cpuMs === undefined || cpu.wallMs <= 0 ? 'n/a' : fixed(cpuMs / cpu.wallMs, 2);
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
