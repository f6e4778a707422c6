import { Agent, request } from 'node:http';

export interface BoundFetch {
  /** For the SDK's HttpClient: plain http URLs and string bodies only. */
  readonly fetch: typeof globalThis.fetch;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** Statuses whose responses have no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` whose connections leave from `localAddress`: on Linux every 127.x.y.z address is
 * loopback, so a benchmark can give each simulated client its own IP, as the server's per-IP
 * login throttle would see real clients. Keeps connections alive, like the global fetch.
 */
export function fetchFrom(localAddress: string): BoundFetch {
  const agent = new Agent({ keepAlive: true, localAddress });
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) return Promise.reject(new Error('fetchFrom: pass a URL, not a Request'));
    const body = init?.body ?? undefined;
    if (body !== undefined && typeof body !== 'string') {
      return Promise.reject(new Error('fetchFrom: only string bodies are supported'));
    }
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    return new Promise((resolve, reject) => {
      const outgoing = request(input, { method: init?.method ?? 'GET', headers, agent }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const status = incoming.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            for (const item of [value ?? []].flat()) responseHeaders.append(name, item);
          }
          const responseBody = NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks);
          resolve(new Response(responseBody, { status, headers: responseHeaders }));
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
  return {
    fetch,
    close: () => {
      agent.destroy();
    },
  };
}
