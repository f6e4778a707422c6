import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TresorApiError, toApiError } from './api-error.js';
import { registerContractFormats } from './contract/formats.js';

export interface HttpOptions {
  /** Base URL of the server, e.g. `https://tresor.example`, or `''` for same-origin in a browser. */
  readonly baseUrl: string;
  readonly fetch?: typeof globalThis.fetch;
}

export interface RawOptions {
  readonly token?: string | undefined;
  /** Sent as `application/octet-stream`. */
  readonly body?: Uint8Array | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface CallOptions<S extends TSchema> {
  readonly schema: S;
  readonly body?: unknown;
  readonly token?: string | undefined;
  /** Error statuses whose body is still a valid answer (e.g. 503 from /readyz). */
  readonly acceptStatuses?: readonly number[];
}

/** JSON over HTTP with typed, validated answers and the API's error codes as TresorApiError. */
export class HttpClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: HttpOptions) {
    registerContractFormats();
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async call<S extends TSchema>(method: string, path: string, options: CallOptions<S>): Promise<Static<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw new TresorApiError('client.network', 'The server cannot be reached.', 0);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok && !(options.acceptStatuses ?? []).includes(response.status)) {
      throw toApiError(response.status, body);
    }
    if (!Value.Check(options.schema, body)) {
      throw new TresorApiError(
        'client.unexpected_response',
        `The server's answer to ${method} ${path} does not match the API contract.`,
        response.status,
      );
    }
    return body;
  }

  /**
   * A request with a raw body and/or a raw answer (document chunks). Error answers become
   * TresorApiError as with `call`; an abort through `signal` rejects with the abort reason.
   */
  async raw(method: string, path: string, options: RawOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/octet-stream, application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/octet-stream';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: options.body as Uint8Array<ArrayBuffer> }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      throw new TresorApiError('client.network', 'The server cannot be reached.', 0);
    }
    if (!response.ok) throw toApiError(response.status, await response.json().catch(() => undefined));
    return response;
  }
}
