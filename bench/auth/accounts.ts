// Benchmark accounts: one practice per user, created and logged in through the SDK, TOTP codes
// computed like an authenticator app, and the once-per-time-step rule for TOTP codes.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type HttpClient,
  type KeyStretching,
  MemoryDeviceKeyStore,
  type SecondFactorPrompt,
  TresorApiError,
  createPractice,
  login,
} from '@tresor/sdk';
import { totpCode } from '../../packages/server/src/testing/totp-codes.js';

/** Cheap client-side OPAQUE stretching for load generation; the server's work does not depend on it. */
export const CHEAP_STRETCHING: KeyStretching = {
  'argon2id-custom': { iterations: 1, memory: 1024, parallelism: 1 },
};

const PASSWORD = 'benchmark password, not a real one 42';
const WRONG_PASSWORD = 'wrong password';
const TOTP_STEP_MS = 30_000;

export interface BenchUser {
  readonly username: string;
  /** The device created with the practice (approved). */
  readonly devices: MemoryDeviceKeyStore;
  /** undefined: the SDK's default (OPAQUE's recommended Argon2id). */
  readonly keyStretching: KeyStretching | undefined;
  totpSecret: string;
  /** TOTP time step of the user's last login; a code works once per step, so the next login needs a later one. */
  lastStep: number;
}

export function totpStep(now: number = Date.now()): number {
  return Math.floor(now / TOTP_STEP_MS);
}

/** Creates a practice whose first user is `username`, then logs in once, which enrols TOTP. */
export async function createUser(
  http: HttpClient,
  username: string,
  keyStretching?: KeyStretching,
): Promise<BenchUser> {
  const devices = new MemoryDeviceKeyStore();
  await createPractice(http, {
    practiceName: `Praxis ${username}`,
    username,
    password: PASSWORD,
    deviceName: 'Empfang',
    devices,
    ...(keyStretching && { keyStretching }),
  });
  const user: BenchUser = { username, devices, keyStretching, totpSecret: '', lastStep: -1 };
  await loginUser(http, user);
  return user;
}

/**
 * One complete login: OPAQUE start and finish, then complete with a TOTP code of the current
 * step and the device's signature; the SDK then unlocks the user's keys. Enrols TOTP if needed.
 */
export async function loginUser(http: HttpClient, user: BenchUser): Promise<void> {
  let step = -1;
  const secondFactor = async (prompt: SecondFactorPrompt): Promise<string> => {
    if (prompt.kind === 'totp_enrolment') user.totpSecret = prompt.secret;
    else if (user.totpSecret === '') throw new Error(`${user.username}: TOTP code asked before enrolment`);
    const now = Date.now();
    step = totpStep(now);
    if (step <= user.lastStep) throw new Error(`${user.username}: TOTP step ${step} already used`);
    return totpCode(user.totpSecret, now);
  };
  await login(http, {
    username: user.username,
    password: PASSWORD,
    devices: user.devices,
    deviceName: 'Empfang',
    secondFactor,
    ...(user.keyStretching && { keyStretching: user.keyStretching }),
  });
  user.lastStep = step;
}

/** A login with a wrong password: resolves once refused with auth.login_failed, rejects otherwise. */
export async function wrongPasswordLogin(http: HttpClient, user: BenchUser): Promise<void> {
  try {
    await login(http, {
      username: user.username,
      password: WRONG_PASSWORD,
      devices: user.devices,
      deviceName: 'Empfang',
      secondFactor: () => Promise.reject(new Error('a wrong password got to the second factor')),
      ...(user.keyStretching && { keyStretching: user.keyStretching }),
    });
  } catch (error) {
    if (error instanceof TresorApiError && error.code === 'auth.login_failed') return;
    throw error;
  }
  throw new Error(`${user.username}: a wrong password was accepted`);
}

/**
 * `count` of `users` that have not logged in during the current TOTP step; waits for the next
 * step when fewer are left.
 */
export async function freshUsers(
  users: readonly BenchUser[],
  count: number,
  log: (message: string) => void,
): Promise<BenchUser[]> {
  const fresh = () => users.filter((user) => user.lastStep < totpStep());
  if (fresh().length < count) {
    const waitMs = TOTP_STEP_MS - (Date.now() % TOTP_STEP_MS) + 100;
    log(
      `waiting ${(waitMs / 1000).toFixed(1)} s for the next TOTP time step (a code works once per step) ...`,
    );
    await sleep(waitMs);
  }
  const available = fresh();
  if (available.length < count) {
    throw new Error(`need ${count} users that can log in in this TOTP step, have ${available.length}`);
  }
  return available.slice(0, count);
}
