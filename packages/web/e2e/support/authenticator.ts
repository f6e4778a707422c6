import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;

/**
 * What an authenticator app does for the test's users: codes from the secret shown on screen.
 * The server accepts a time step once per user, so a fresh code waits for the next step when this
 * user's last one was the current step.
 */
export class Authenticator {
  readonly #lastStep = new Map<string, number>();

  /** A code that has not been used for `username` yet (waits up to one step for it). */
  async freshCode(username: string, secret: string): Promise<string> {
    const last = this.#lastStep.get(username) ?? -1;
    while (currentStep() <= last) await sleep(PERIOD_MS - (Date.now() % PERIOD_MS) + 100);
    const step = currentStep();
    this.#lastStep.set(username, step);
    return codeAt(secret, step);
  }

  /** A code the server will reject: valid for none of the steps it accepts right now. */
  static wrongCode(secret: string): string {
    const step = currentStep();
    const valid = new Set([step - 1, step, step + 1].map((s) => codeAt(secret, s)));
    for (let candidate = 123456; ; candidate = (candidate + 111111) % 1_000_000) {
      const code = candidate.toString().padStart(6, '0');
      if (!valid.has(code)) return code;
    }
  }
}

function currentStep(): number {
  return Math.floor(Date.now() / PERIOD_MS);
}

function codeAt(secret: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: step * PERIOD_MS + 1000 });
}
