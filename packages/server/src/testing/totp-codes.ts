import { Secret, TOTP } from 'otpauth';

/** The code an authenticator app would show for `secret`, `stepsAhead` periods from now. */
export function totpCode(secretBase32: string, timestamp: number = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secretBase32), timestamp });
}

/** A clock tests move forward, e.g. past a TOTP time step. */
export class TestClock {
  #offsetMs = 0;
  readonly now = (): number => Date.now() + this.#offsetMs;
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
