// Minimal types for the parts of autocannon's programmatic API the benchmarks use
// (no @types/autocannon in the workspace). See node_modules/autocannon/README.md.
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      readonly url: string;
      readonly connections?: number;
      /** Seconds. */
      readonly duration?: number;
      readonly pipelining?: number;
      /** Seconds to wait for a response. */
      readonly timeout?: number;
      readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | Buffer;
      readonly title?: string;
    }

    /** Statistics of one measure; percentiles are p2_5, p50, p75, p90, p97_5, p99, p99_9, p99_99, p99_999. */
    interface Histogram {
      readonly average: number;
      readonly mean: number;
      readonly stddev: number;
      readonly min: number;
      readonly max: number;
      readonly total: number;
      readonly p50: number;
      readonly p90: number;
      readonly p99: number;
    }

    interface Result {
      readonly title?: string;
      readonly url: string;
      /** Requests completed per second (one sample a second). */
      readonly requests: Histogram;
      /** Response latency in milliseconds. */
      readonly latency: Histogram;
      /** Response bytes per second. */
      readonly throughput: Histogram;
      /** Seconds. */
      readonly duration: number;
      /** Connection errors, timeouts included. */
      readonly errors: number;
      readonly timeouts: number;
      readonly mismatches: number;
      readonly non2xx: number;
      readonly connections: number;
      readonly pipelining: number;
      readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
    }

    interface Instance extends NodeJS.EventEmitter {
      stop(): void;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}
