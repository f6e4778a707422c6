import { type AccountSession, HttpClient, MemoryDeviceKeyStore, createPractice, login } from '@tresor/sdk';
import { totpCode } from '../../packages/server/src/testing/totp-codes.js';
import { CHEAP_STRETCHING } from '../auth/accounts.js';

/** Creates a practice on the server at `url` and signs its first user in (TOTP computed here). */
export async function signUp(url: string): Promise<AccountSession> {
  const http = new HttpClient({ baseUrl: url });
  const devices = new MemoryDeviceKeyStore();
  const credentials = { username: 'bench.praxis', password: 'benchmark password, not a real one 42' };
  await createPractice(http, {
    practiceName: 'Benchmark-Praxis',
    ...credentials,
    deviceName: 'Bench',
    devices,
    keyStretching: CHEAP_STRETCHING,
  });
  let secret = '';
  return login(http, {
    ...credentials,
    devices,
    deviceName: 'Bench',
    keyStretching: CHEAP_STRETCHING,
    secondFactor: async (prompt) => {
      if (prompt.kind === 'totp_enrolment') secret = prompt.secret;
      return totpCode(secret);
    },
  });
}
