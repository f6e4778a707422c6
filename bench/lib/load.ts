import autocannon from 'autocannon';

/** One HTTP request that autocannon repeats on every connection. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Sent as JSON with `content-type: application/json`. */
  readonly json?: unknown;
}

export interface LoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  /** An unmeasured run of the same request before the measured one; 0 skips it. */
  readonly warmupSeconds: number;
}

export interface Failures {
  /** Responses outside 200-299. */
  readonly non2xx: number;
  /** Count per status code of the responses outside 200-299. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
}

export interface Measurement {
  /** Mean of the per-second request counts. */
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly failures: Failures;
  /** Failures during the warm-up (not in the numbers above, reported anyway). */
  readonly warmupFailures: Failures;
}

const NO_FAILURES: Failures = { non2xx: 0, byStatus: {}, errors: 0, timeouts: 0 };

/** Warms up, then measures `request` against the server at `baseUrl`. */
export async function measure(
  baseUrl: string,
  request: LoadRequest,
  settings: LoadSettings,
): Promise<Measurement> {
  const options = toOptions(baseUrl, request, settings.connections);
  const warmup =
    settings.warmupSeconds > 0 ? await run({ ...options, duration: settings.warmupSeconds }) : undefined;
  const result = await run({ ...options, duration: settings.durationSeconds });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    failures: failuresOf(result),
    warmupFailures: warmup ? failuresOf(warmup) : NO_FAILURES,
  };
}

export function failureCount(failures: Failures): number {
  return failures.non2xx + failures.errors;
}

function toOptions(baseUrl: string, request: LoadRequest, connections: number): autocannon.Options {
  const json =
    request.json === undefined ? {} : { headers: JSON_HEADERS, body: JSON.stringify(request.json) };
  return {
    url: new URL(request.path, baseUrl).href,
    method: request.method,
    connections,
    pipelining: 1,
    ...json,
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

function failuresOf(result: autocannon.Result): Failures {
  const byStatus = Object.fromEntries(
    Object.entries(result.statusCodeStats)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, { count }]) => [status, count]),
  );
  return { non2xx: result.non2xx, byStatus, errors: result.errors, timeouts: result.timeouts };
}
