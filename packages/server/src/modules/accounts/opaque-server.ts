import { createHmac } from 'node:crypto';
import * as opaque from '@serenity-kit/opaque';

/**
 * The server half of OPAQUE (RFC 9807). The server setup is a long-term secret that lives in
 * the data directory, never in the database. The server never sees the password; it stores an
 * OPAQUE registration record per user.
 */
export class OpaqueServer {
  private constructor(private readonly setup: string) {}

  static async create(setup: string): Promise<OpaqueServer> {
    await opaque.ready;
    return new OpaqueServer(setup);
  }

  static async newSetup(): Promise<string> {
    await opaque.ready;
    return opaque.server.createSetup();
  }

  registrationResponse(userIdentifier: string, registrationRequest: string): string {
    return opaque.server.createRegistrationResponse({
      serverSetup: this.setup,
      userIdentifier,
      registrationRequest,
    }).registrationResponse;
  }

  /** With no record (unknown user) OPAQUE answers with an indistinguishable fake response. */
  startLogin(userIdentifier: string, registrationRecord: string | undefined, startLoginRequest: string) {
    return opaque.server.startLogin({
      serverSetup: this.setup,
      userIdentifier,
      registrationRecord: registrationRecord ?? null,
      startLoginRequest,
    });
  }

  /**
   * HMAC-SHA-256 keyed with the server setup, the secret OPAQUE's fake answers for unknown users
   * come from: stable per (purpose, identifier) and unpredictable without the setup, for fake
   * answers elsewhere that must not change between calls.
   */
  fakeSeed(purpose: string, userIdentifier: string): Buffer {
    return createHmac('sha256', this.setup).update(`${purpose}\0${userIdentifier}`).digest();
  }

  /** True when the client proved knowledge of the password. */
  finishLogin(serverLoginState: string, finishLoginRequest: string): boolean {
    try {
      opaque.server.finishLogin({ serverLoginState, finishLoginRequest });
      return true;
    } catch {
      return false;
    }
  }
}
