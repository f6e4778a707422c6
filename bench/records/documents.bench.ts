// Documents benchmark: encrypt+upload and download+decrypt of one document through the SDK
// against the built server (embedded storage), with the CPU time client and server spend per
// MiB and the client's full garbage collections. A minute or two.
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
import { markdownTable } from '../lib/markdown-table.js';
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

const server = await startBenchServer();
const dir = mkdtempSync(join(tmpdir(), 'tresor-documents-bench-'));
try {
  const session = await signUp(server.url);
  const patientId = (await session.records.createPatient(syntheticPatients(1)[0]!)).id;
  const source = join(dir, 'source.bin');
  const handle = await open(source, 'w');
  for (let written = 0; written < documentMb * MiB; written += 4 * MiB)
    await handle.write(randomBytes(4 * MiB));
  await handle.close();
  const rows: string[][] = [];
  for (let round = 1; round <= rounds; round++) {
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
    for (const [direction, r] of [
      ['upload', up],
      ['download', down],
    ] as const) {
      rows.push([
        String(round),
        direction,
        r.mbps.toFixed(0),
        r.clientMsPerMiB.toFixed(1),
        r.serverMsPerMiB.toFixed(1),
        String(r.fullCollections),
      ]);
    }
    process.stderr.write(
      `round ${round}: up ${up.mbps.toFixed(0)} MB/s, down ${down.mbps.toFixed(0)} MB/s\n`,
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
          { title: 'client CPU ms/MiB', align: 'right' },
          { title: 'server CPU ms/MiB', align: 'right' },
          { title: 'client full GCs', align: 'right' },
        ],
        rows,
      ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
}
