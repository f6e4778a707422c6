import { type AccountSession, HttpClient, MemoryDeviceKeyStore, createPractice, login } from '@tresor/sdk';
import { type TestClock, totpCode } from './totp-codes.js';

/**
 * A new practice named `name` whose first user (login name `name`) signs in through the SDK,
 * enrolling TOTP with codes at `clock`'s time. For tests that need signed-in practices only.
 */
export async function signUpPractice(
  serverUrl: string,
  name: string,
  clock: TestClock,
): Promise<AccountSession> {
  const http = new HttpClient({ baseUrl: serverUrl });
  const devices = new MemoryDeviceKeyStore();
  const password = `${name} password`;
  await createPractice(http, { practiceName: name, username: name, password, deviceName: 'PC', devices });
  let secret = '';
  return login(http, {
    username: name,
    password,
    devices,
    deviceName: 'PC',
    secondFactor: async (prompt) => {
      if (prompt.kind === 'totp_enrolment') secret = prompt.secret;
      return totpCode(secret, clock.now());
    },
  });
}
