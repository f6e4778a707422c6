import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, startServerProcess } from '../../packages/server/src/testing/server-process.js';

export interface BenchServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Process id of the server, e.g. to read its CPU time from /proc. */
  readonly pid: number;
  /** Sends SIGTERM, waits for the exit, deletes the data directory; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** Everything the server wrote to stderr. */
  stderr(): string;
}

/**
 * Starts the built CLI (`tresor serve`) on a free loopback port with a fresh data directory,
 * diagnostics routes on and the rate limiter out of the way. Without `databaseUrl` it uses the
 * embedded storage (PGlite).
 */
export async function startBenchServer(databaseUrl?: string): Promise<BenchServer> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build first with "npx tsc -b"`);
  const dataDir = mkdtempSync(join(tmpdir(), 'tresor-bench-'));
  const removeDataDir = () => {
    rmSync(dataDir, { recursive: true, force: true });
  };
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    TRESOR_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    TRESOR_DIAGNOSTICS: 'true',
    TRESOR_RATE_LIMIT: '1000000000',
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  };
  try {
    // Node options for the server only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const server = await startServerProcess(env, nodeArgs);
    const pid = server.child.pid;
    if (pid === undefined) {
      await server.stop('SIGKILL');
      throw new Error('the server process has no pid');
    }
    return {
      url: server.url,
      pid,
      stderr: () => server.stderr(),
      async stop() {
        try {
          return await server.stop('SIGTERM');
        } finally {
          removeDataDir();
        }
      },
    };
  } catch (error) {
    removeDataDir();
    throw error;
  }
}

/** Sends a request and returns the JSON body; any status other than `expectedStatus` is an error. */
export async function requestJson(
  url: string,
  expectedStatus: number,
  init: { readonly method: 'GET' | 'POST'; readonly json?: unknown } = { method: 'GET' },
): Promise<unknown> {
  const response = await fetch(url, {
    method: init.method,
    ...(init.json === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) }),
  });
  const text = await response.text();
  if (response.status !== expectedStatus) {
    throw new Error(`${init.method} ${url}: expected ${expectedStatus}, got ${response.status}: ${text}`);
  }
  return JSON.parse(text) as unknown;
}

/** Reads a string property of a JSON object, failing loudly when the response has another shape. */
export function stringField(value: unknown, key: string): string {
  const field =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof field !== 'string') throw new Error(`expected a string "${key}" in ${JSON.stringify(value)}`);
  return field;
}
