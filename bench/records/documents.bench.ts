// Documents benchmark: encrypt+upload and download+decrypt of one document through the SDK
// against the built server (embedded storage), next to two plain copies of the same file made in
// the same round (`fs.copyFile`, and a durable 1 MiB read/write copy ending in fsync) and the same
// file sent over plain HTTP (bench/lib/http-floor.ts: 4 MiB bodies to a plain Node server that
// fsyncs each, no encryption or database), with the CPU time client and server spend per MiB and
// the client's full garbage collections. A minute or two.
//
//   npx tsc -b && npm run bench:documents
//
// Settings (environment): BENCH_DOCUMENT_MB document size (default 128), BENCH_ROUNDS (default
// 3). Progress on stderr; a Markdown table on stdout.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { integerFromEnv } from '../lib/env.js';
import { measureCopyReference } from '../lib/file-copy.js';
import { HttpFloorServer } from '../lib/http-floor.js';
import { markdownTable } from '../lib/markdown-table.js';
import { median } from '../lib/stats.js';
import { startBenchServer } from '../lib/tresor-server.js';
import { signUp } from './bench-account.js';
import { syntheticPatients } from './names.js';

const MiB = 1024 * 1024;
const documentMb = integerFromEnv('BENCH_DOCUMENT_MB', 128);
const rounds = integerFromEnv('BENCH_ROUNDS', 3);

/** CPU milliseconds (user + system) of this process. */
function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds of another process, from /proc (clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

let fullCollections = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections++;
  }
}).observe({ entryTypes: ['gc'] });

/** Runs `work` and reports MB/s, CPU per MiB of both processes and the client's full collections. */
async function measure(serverPid: number, work: () => Promise<void>) {
  const [client, server, collections, started] = [
    ownCpuMs(),
    processCpuMs(serverPid),
    fullCollections,
    performance.now(),
  ];
  await work();
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setImmediate(resolve)); // let the gc observer report
  return {
    mbps: documentMb / seconds,
    clientMsPerMiB: (ownCpuMs() - client) / documentMb,
    serverMsPerMiB: (processCpuMs(serverPid) - server) / documentMb,
    fullCollections: fullCollections - collections,
  };
}

interface RoundResult {
  readonly up: number;
  readonly down: number;
  readonly copyFile: number;
  readonly durableCopy: number;
  readonly plainUp: number;
  readonly plainDown: number;
}

/**
 * Medians over the rounds and the target (≥ 50 % of a plain copy's throughput), with
 * the share of the plain HTTP transfer each direction reaches.
 */
function summary(results: readonly RoundResult[]): string {
  const pick = (key: keyof RoundResult) => median(results.map((r) => r[key]));
  const [copy, durable] = [pick('copyFile'), pick('durableCopy')];
  const verdict = (ratio: number) => (ratio >= 0.5 ? 'met' : 'missed');
  const line = (name: string, mbps: number, plain: number) =>
    `- ${name}: median ${mbps.toFixed(0)} MB/s = ${((100 * mbps) / copy).toFixed(0)} % of copyFile ` +
    `(${verdict(mbps / copy)}), ${((100 * mbps) / durable).toFixed(0)} % of the durable copy ` +
    `(${verdict(mbps / durable)}); target ≥ 50 %. Plain HTTP ${plain.toFixed(0)} MB/s ` +
    `(${((100 * plain) / durable).toFixed(0)} % of the durable copy); the SDK reaches ` +
    `${((100 * mbps) / plain).toFixed(0)} % of it\n`;
  return (
    `\n\nMedians of ${results.length} rounds: copyFile ${copy.toFixed(0)} MB/s, durable copy ` +
    `${durable.toFixed(0)} MB/s.\n\n` +
    line('upload', pick('up'), pick('plainUp')) +
    line('download', pick('down'), pick('plainDown'))
  );
}

const server = await startBenchServer();
const dir = mkdtempSync(join(tmpdir(), 'tresor-documents-bench-'));
let plainHttp: HttpFloorServer | undefined;
try {
  const session = await signUp(server.url);
  const patientId = (await session.records.createPatient(syntheticPatients(1)[0]!)).id;
  const source = join(dir, 'source.bin');
  const handle = await open(source, 'w');
  for (let written = 0; written < documentMb * MiB; written += 4 * MiB)
    await handle.write(randomBytes(4 * MiB));
  await handle.close();
  const rows: string[][] = [];
  const perRound: RoundResult[] = [];
  plainHttp = await HttpFloorServer.start(dir, source);
  const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)} %`;
  for (let round = 1; round <= rounds; round++) {
    const reference = await measureCopyReference(source, documentMb * MiB, dir);
    const plain = await plainHttp.measure(source, documentMb * MiB);
    let documentId = '';
    const up = await measure(server.pid, async () => {
      const info = await session.records.uploadDocument(patientId, {
        name: 'bench.bin',
        type: 'application/octet-stream',
        size: documentMb * MiB,
        stream: () =>
          Readable.toWeb(createReadStream(source, { highWaterMark: MiB })) as ReadableStream<Uint8Array>,
      });
      documentId = info.id;
    });
    const target = join(dir, 'download.bin');
    const down = await measure(server.pid, async () => {
      const { stream } = await session.records.downloadDocument(documentId);
      await stream.pipeTo(Writable.toWeb(createWriteStream(target)) as WritableStream<Uint8Array>);
    });
    if ((await stat(target)).size !== documentMb * MiB) throw new Error('the download has the wrong size');
    rmSync(target);
    for (const [direction, r, plainMbps] of [
      ['upload', up, plain.upload],
      ['download', down, plain.download],
    ] as const) {
      rows.push([
        String(round),
        direction,
        r.mbps.toFixed(0),
        reference.copyFile.toFixed(0),
        reference.durableCopy.toFixed(0),
        percent(r.mbps, reference.copyFile),
        percent(r.mbps, reference.durableCopy),
        plainMbps.toFixed(0),
        percent(r.mbps, plainMbps),
        r.clientMsPerMiB.toFixed(1),
        r.serverMsPerMiB.toFixed(1),
        String(r.fullCollections),
      ]);
    }
    perRound.push({
      up: up.mbps,
      down: down.mbps,
      ...reference,
      plainUp: plain.upload,
      plainDown: plain.download,
    });
    process.stderr.write(
      `round ${round}: up ${up.mbps.toFixed(0)} MB/s, down ${down.mbps.toFixed(0)} MB/s, ` +
        `copyFile ${reference.copyFile.toFixed(0)} MB/s, durable copy ${reference.durableCopy.toFixed(0)} MB/s, ` +
        `plain HTTP up ${plain.upload.toFixed(0)} / down ${plain.download.toFixed(0)} MB/s\n`,
    );
  }
  process.stdout.write(
    `Documents of ${documentMb} MiB, embedded storage, client and server on this machine ` +
      `(\`BENCH_DOCUMENT_MB=${documentMb} BENCH_ROUNDS=${rounds} npm run bench:documents\`):\n\n` +
      markdownTable(
        [
          { title: 'round' },
          { title: 'direction' },
          { title: 'MB/s', align: 'right' },
          { title: 'copyFile MB/s', align: 'right' },
          { title: 'durable copy MB/s', align: 'right' },
          { title: 'vs copyFile', align: 'right' },
          { title: 'vs durable copy', align: 'right' },
          { title: 'plain HTTP MB/s', align: 'right' },
          { title: 'vs plain HTTP', align: 'right' },
          { title: 'client CPU ms/MiB', align: 'right' },
          { title: 'server CPU ms/MiB', align: 'right' },
          { title: 'client full GCs', align: 'right' },
        ],
        rows,
      ) +
      summary(perRound),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([server.stop(), plainHttp?.stop()]);
}
