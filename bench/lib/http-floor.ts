import { type ChildProcess, fork } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// The floor of a document transfer over HTTP in Node on this machine: the same file sent and
// fetched the way the SDK does it (4 MiB request bodies, two in flight; one streamed response),
// to a plain `node:http` server in a process of its own that writes each body to a file of its
// own and fsyncs it, as the Tresor server makes every acknowledged chunk durable. No encryption,
// no hashing, no database, no authentication: what any upload over HTTP in Node costs here.
//
// Run as a script (`node --import tsx bench/lib/http-floor.ts DIR SOURCE`), it is that server.

const MiB = 1024 * 1024;
const BODY_BYTES = 4 * MiB;
const IN_FLIGHT = 2;

/** Throughput in MB/s (MiB per second) of the plain HTTP transfers. */
export interface HttpFloor {
  readonly upload: number;
  readonly download: number;
}

function serve(dir: string, source: string): void {
  let stored = 0;
  const receive = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-length': (await stat(source)).size });
      createReadStream(source, { highWaterMark: MiB }).pipe(response);
      return;
    }
    const parts: Buffer[] = [];
    for await (const part of request) parts.push(part as Buffer);
    const handle = await open(join(dir, `body-${stored++}`), 'w');
    try {
      await handle.writev(parts);
      await handle.sync();
    } finally {
      await handle.close();
    }
    response.end();
  };
  const server = createServer((request, response) => {
    receive(request, response).catch(() => {
      response.statusCode = 500;
      response.end();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.((server.address() as AddressInfo).port);
  });
}

async function upload(url: string, source: string, bytes: number): Promise<void> {
  const input = await open(source, 'r');
  const inFlight = new Set<Promise<void>>();
  try {
    for (let offset = 0; offset < bytes; offset += BODY_BYTES) {
      const body = Buffer.allocUnsafe(Math.min(BODY_BYTES, bytes - offset));
      await input.read(body, 0, body.length, offset);
      const sent: Promise<void> = fetch(url, { method: 'PUT', body })
        .then(async (response) => {
          await response.arrayBuffer();
          if (!response.ok) throw new Error(`plain HTTP upload failed: ${response.status}`);
        })
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await input.close();
  }
}

async function download(url: string, bytes: number): Promise<void> {
  const response = await fetch(url);
  let received = 0;
  for await (const piece of response.body!) received += (piece as Uint8Array).length;
  if (received !== bytes) throw new Error('plain HTTP download has the wrong size');
}

async function timedMbps(bytes: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return bytes / MiB / ((performance.now() - started) / 1000);
}

/** A plain HTTP server in a child process, storing uploaded bodies in `dir` and serving `source`. */
export class HttpFloorServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly url: string,
    private readonly dir: string,
  ) {}

  static async start(dir: string, source: string): Promise<HttpFloorServer> {
    const child = fork(new URL(import.meta.url).pathname, [dir, source], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => {
        resolve(Number(message));
      });
      child.once('exit', (code) => {
        reject(new Error(`the plain HTTP server exited (${String(code)})`));
      });
    });
    return new HttpFloorServer(child, `http://127.0.0.1:${port}/`, dir);
  }

  /** Uploads and downloads `source` (`bytes` long) once each; removes what was stored. */
  async measure(source: string, bytes: number): Promise<HttpFloor> {
    const up = await timedMbps(bytes, () => upload(this.url, source, bytes));
    const down = await timedMbps(bytes, () => download(this.url, bytes));
    for (const name of await readdir(this.dir))
      if (name.startsWith('body-')) await rm(join(this.dir, name), { force: true });
    return { upload: up, download: down };
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname && process.send !== undefined) {
  serve(process.argv[2]!, process.argv[3]!);
}
