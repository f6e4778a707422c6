// Records benchmark: 100,000 synthetic patients (German names with realistic frequencies) in one
// practice, created through the SDK; client-side directory search p50/p99 in Node; blind-index
// lookup latency on the server (embedded PGlite and PostgreSQL); record create throughput
// through the SDK (single creates and the bulk import); document encrypt+upload and
// download+decrypt throughput next to a plain `fs.copyFile` of the same size. A few minutes.
//
//   npx tsc -b && npm run bench:records
//
// Settings (environment): BENCH_PATIENTS (default 100000), BENCH_SINGLE_CREATES patients created
// one request each to measure createPatient (default 500), BENCH_CLIENTS concurrent SDK calls
// (default 8), BENCH_LOOKUPS blind-index lookups (default 1000), BENCH_SEARCHES searches per
// query (default 50), BENCH_DOCUMENT_MB document size (default 64), BENCH_STORAGES (default
// "embedded,postgresql"). Progress on stderr; the Markdown result on stdout and in
// bench/results/records.md.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { AccountSession } from '@tresor/sdk';
import { integerFromEnv } from '../lib/env.js';
import { measureCopyReference } from '../lib/file-copy.js';
import { markdownTable } from '../lib/markdown-table.js';
import { startBenchDatabase } from '../lib/postgres.js';
import { percentile } from '../lib/stats.js';
import { startBenchServer } from '../lib/tresor-server.js';
import { signUp } from './bench-account.js';
import { syntheticPatients } from './names.js';

const execFileAsync = promisify(execFile);
const RESULT_FILE = fileURLToPath(new URL('../results/records.md', import.meta.url));
const MiB = 1024 * 1024;

const settings = {
  patients: integerFromEnv('BENCH_PATIENTS', 100_000, 1000),
  singleCreates: integerFromEnv('BENCH_SINGLE_CREATES', 500),
  clients: integerFromEnv('BENCH_CLIENTS', 8),
  lookups: integerFromEnv('BENCH_LOOKUPS', 1000),
  searches: integerFromEnv('BENCH_SEARCHES', 50),
  documentMb: integerFromEnv('BENCH_DOCUMENT_MB', 64),
  storages: (process.env.BENCH_STORAGES ?? 'embedded,postgresql').split(',') as ('embedded' | 'postgresql')[],
};

const log = (message: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/** Runs `work(i)` for i in 0..count-1 with `concurrency` calls in flight. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

interface StorageResult {
  storage: string;
  description: string;
  singlePerSecond: number;
  importPerSecond: number;
  syncSeconds: number;
  lookupP50: number;
  lookupP99: number;
  findP50: number;
  findP99: number;
  upload: number;
  download: number;
  copy: number;
  durableCopy: number;
}

interface SearchResult {
  query: string;
  hits: number;
  p50: number;
  p99: number;
}

async function benchDocuments(session: AccountSession, patientId: string, dir: string) {
  const size = settings.documentMb * MiB;
  const source = join(dir, 'source.bin');
  const handle = await open(source, 'w');
  for (let written = 0; written < size; written += 4 * MiB) await handle.write(randomBytes(4 * MiB));
  await handle.close();
  const reference = await measureCopyReference(source, size, dir);

  const uploadStarted = performance.now();
  const info = await session.records.uploadDocument(patientId, {
    name: 'bench.bin',
    type: 'application/octet-stream',
    size,
    stream: () =>
      Readable.toWeb(createReadStream(source, { highWaterMark: MiB })) as ReadableStream<Uint8Array>,
  });
  const uploadSeconds = (performance.now() - uploadStarted) / 1000;
  const downloadStarted = performance.now();
  const { stream } = await session.records.downloadDocument(info.id);
  await stream.pipeTo(Writable.toWeb(createWriteStream(join(dir, 'download.bin'))));
  const downloadSeconds = (performance.now() - downloadStarted) / 1000;
  if ((await stat(join(dir, 'download.bin'))).size !== size) throw new Error('download has the wrong size');
  rmSync(join(dir, 'download.bin'));
  rmSync(source);
  const mbps = (seconds: number) => size / MiB / seconds;
  return {
    upload: mbps(uploadSeconds),
    download: mbps(downloadSeconds),
    copy: reference.copyFile,
    durableCopy: reference.durableCopy,
  };
}

const QUERIES = [
  'Mül', // prefix of the most common surname
  'Müller Maria',
  'Meyer', // phonetic: Meier, Maier, Mayer
  'Schmidt', // phonetic: Schmitt, Schmid
  'hofm', // prefix (Hoffmann, Hofmann)
  'stein', // substring of tail names
  'Lindenbach',
  '12.03.1980',
  'K000012345',
  'x',
];

async function benchSearch(
  session: AccountSession,
): Promise<{ syncSeconds: number; results: SearchResult[] }> {
  const syncStarted = performance.now();
  const directory = await session.records.directory();
  const syncSeconds = (performance.now() - syncStarted) / 1000;
  if (directory.size < settings.patients) throw new Error(`directory has ${directory.size} entries`);
  const results: SearchResult[] = [];
  for (const query of QUERIES) {
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < settings.searches; i++) {
      const started = performance.now();
      hits = directory.search(query, 50).length;
      times.push(performance.now() - started);
    }
    results.push({ query, hits, p50: percentile(times, 50), p99: percentile(times, 99) });
  }
  return { syncSeconds, results };
}

async function lookupsFromChildProcess(url: string, token: string): Promise<number[]> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./lookup-client.ts', import.meta.url))],
    {
      env: { ...process.env, LOOKUP_URL: url, LOOKUP_TOKEN: token, LOOKUP_COUNT: String(settings.lookups) },
      maxBuffer: 64 * MiB,
    },
  );
  return JSON.parse(stdout) as number[];
}

async function benchStorage(storage: 'embedded' | 'postgresql', withSearch: boolean) {
  const database = storage === 'postgresql' ? await startBenchDatabase('tresor_records_bench') : undefined;
  const server = await startBenchServer(database?.url);
  const dir = mkdtempSync(join(tmpdir(), 'tresor-records-bench-'));
  try {
    log(`${storage}: server at ${server.url}`);
    const session = await signUp(server.url);
    const patients = syntheticPatients(settings.patients);

    const singleStarted = performance.now();
    const ids: string[] = [];
    await pool(settings.singleCreates, settings.clients, async (i) => {
      ids[i] = (await session.records.createPatient(patients[i]!)).id;
    });
    const singlePerSecond = settings.singleCreates / ((performance.now() - singleStarted) / 1000);
    log(`${storage}: ${settings.singleCreates} single creates, ${singlePerSecond.toFixed(0)}/s`);

    const rest = patients.slice(settings.singleCreates);
    const batches = Math.ceil(rest.length / 1000);
    const importStarted = performance.now();
    await pool(batches, 2, async (b) => {
      ids.push(...(await session.records.importPatients(rest.slice(b * 1000, (b + 1) * 1000))));
      if (b % 20 === 0) log(`${storage}: imported ${ids.length}`);
    });
    const importPerSecond = rest.length / ((performance.now() - importStarted) / 1000);
    log(`${storage}: ${rest.length} imported, ${importPerSecond.toFixed(0)}/s`);

    const search = withSearch ? await benchSearch(session) : undefined;
    const syncStarted = performance.now();
    if (!withSearch) await session.records.directory();
    const syncSeconds = search?.syncSeconds ?? (performance.now() - syncStarted) / 1000;
    log(`${storage}: directory synced in ${syncSeconds.toFixed(1)} s`);

    // Blind-index lookups as the server answers them: one HTTP round trip on loopback each, from a
    // separate small client process (see lookup-client.ts).
    const lookupTimes = await lookupsFromChildProcess(server.url, session.token);
    // And end to end through the SDK: lookup, fetch and decrypt candidates, drop false hits.
    const findTimes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const master = patients[(i * 997) % patients.length]!;
      const started = performance.now();
      const found = await session.records.findByKvnr(master.insurance!.kvnr!);
      findTimes.push(performance.now() - started);
      if (found.length !== 1) throw new Error(`findByKvnr found ${found.length}`);
    }
    log(`${storage}: lookup p99 ${ms(percentile(lookupTimes, 99))} ms`);
    const documents = await benchDocuments(session, ids[0]!, dir);
    log(`${storage}: documents ${JSON.stringify(documents)}`);
    const result: StorageResult = {
      storage,
      description: database?.description ?? 'PGlite (embedded, in the server process)',
      singlePerSecond,
      importPerSecond,
      syncSeconds,
      lookupP50: percentile(lookupTimes, 50),
      lookupP99: percentile(lookupTimes, 99),
      findP50: percentile(findTimes, 50),
      findP99: percentile(findTimes, 99),
      ...documents,
    };
    return { result, search: search?.results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const code = await server.stop();
    database?.stop();
    if (code !== 0) log(`${storage}: server exited with ${code}: ${server.stderr().slice(-2000)}`);
  }
}

function report(results: StorageResult[], search: SearchResult[] | undefined, date: Date): string {
  const cpu = cpus();
  const lines = [
    '# bench:records',
    '',
    `${date.toISOString()} · ${cpu.length} × ${cpu[0]?.model ?? 'CPU'} · Node ${process.version} · ` +
      `${settings.patients.toLocaleString('en')} patients · document ${settings.documentMb} MiB`,
    '',
    '## Client-side directory search (Node, 100,000 entries in memory, limit 50)',
    '',
    search === undefined
      ? '(not run)'
      : markdownTable(
          [
            { title: 'query' },
            { title: 'hits', align: 'right' },
            { title: 'p50 ms', align: 'right' },
            { title: 'p99 ms', align: 'right' },
          ],
          search.map((s) => [`\`${s.query}\``, String(s.hits), ms(s.p50), ms(s.p99)]),
        ),
    '',
    '## Server and SDK',
    '',
    markdownTable(
      [
        { title: 'storage' },
        { title: 'createPatient /s', align: 'right' },
        { title: 'import /s', align: 'right' },
        { title: 'directory sync s', align: 'right' },
        { title: 'lookup p50 ms', align: 'right' },
        { title: 'lookup p99 ms', align: 'right' },
        { title: 'findByKvnr p50/p99 ms', align: 'right' },
        { title: 'upload MB/s', align: 'right' },
        { title: 'download MB/s', align: 'right' },
        { title: 'copyFile MB/s', align: 'right' },
        { title: 'up/down vs copyFile', align: 'right' },
        { title: 'durable copy MB/s', align: 'right' },
        { title: 'up/down vs durable copy', align: 'right' },
      ],
      results.map((r) => [
        r.storage,
        r.singlePerSecond.toFixed(0),
        r.importPerSecond.toFixed(0),
        r.syncSeconds.toFixed(1),
        ms(r.lookupP50),
        ms(r.lookupP99),
        `${ms(r.findP50)} / ${ms(r.findP99)}`,
        r.upload.toFixed(0),
        r.download.toFixed(0),
        r.copy.toFixed(0),
        `${((100 * r.upload) / r.copy).toFixed(0)} % / ${((100 * r.download) / r.copy).toFixed(0)} %`,
        r.durableCopy.toFixed(0),
        `${((100 * r.upload) / r.durableCopy).toFixed(0)} % / ${((100 * r.download) / r.durableCopy).toFixed(0)} %`,
      ]),
    ),
    '',
    ...results.map((r) => `- ${r.storage}: ${r.description}`),
    '',
    `Command: \`BENCH_PATIENTS=${settings.patients} BENCH_STORAGES=${settings.storages.join(',')} npm run bench:records\``,
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const date = new Date();
  const results: StorageResult[] = [];
  let search: SearchResult[] | undefined;
  for (const storage of settings.storages) {
    const run = await benchStorage(storage, search === undefined);
    results.push(run.result);
    search ??= run.search;
  }
  const markdown = report(results, search, date);
  writeFileSync(RESULT_FILE, markdown);
  process.stdout.write(markdown);
}

await main();
