import { TresorApiError, toApiError } from './api-error.js';
import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Health, Readiness, ServerInfo } from './contract/schemas.js';

export interface TresorClientOptions {
  /** Base URL of the server, e.g. `https://tresor.example` or `''` for same-origin in the browser. */
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
}

/** Typed client for the Tresor HTTP API. Works in browsers and Node ≥ 20. */
export class TresorClient {
  readonly #baseUrl: string;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: TresorClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  health(): Promise<Health> {
    return this.#get(Health, '/healthz');
  }

  /** Readiness is reported even when the answer is "not ready" (HTTP 503). */
  readiness(): Promise<Readiness> {
    return this.#get(Readiness, '/readyz', [503]);
  }

  info(): Promise<ServerInfo> {
    return this.#get(ServerInfo, '/api/v1/info');
  }

  async #get<S extends TSchema>(
    schema: S,
    path: string,
    acceptedErrorStatuses: number[] = [],
  ): Promise<Static<S>> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        headers: { accept: 'application/json' },
      });
    } catch {
      throw new TresorApiError('client.network', 'The server cannot be reached.', 0);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok && !acceptedErrorStatuses.includes(response.status)) {
      throw toApiError(response.status, body);
    }
    if (!Value.Check(schema, body)) {
      throw new TresorApiError(
        'client.unexpected_response',
        `The server's answer to ${path} does not match the API contract.`,
        response.status,
      );
    }
    return body;
  }
}
