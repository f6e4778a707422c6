import { Health, Readiness, ServerInfo } from './contract/schemas.js';
import { HttpClient, type HttpOptions } from './http.js';

export type TresorClientOptions = HttpOptions;

/** Typed client for the Tresor HTTP API's public endpoints. Works in browsers and Node ≥ 20. */
export class TresorClient {
  readonly http: HttpClient;

  constructor(options: TresorClientOptions) {
    this.http = new HttpClient(options);
  }

  health(): Promise<Health> {
    return this.http.call('GET', '/healthz', { schema: Health });
  }

  /** Readiness is reported even when the answer is "not ready" (HTTP 503). */
  readiness(): Promise<Readiness> {
    return this.http.call('GET', '/readyz', { schema: Readiness, acceptStatuses: [503] });
  }

  info(): Promise<ServerInfo> {
    return this.http.call('GET', '/api/v1/info', { schema: ServerInfo });
  }
}
