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
