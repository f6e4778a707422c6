// The login's authentication work alone, in-process: OPAQUE start and finish on the server side,
// the TOTP check (unseal + match), the device signature check (with the key kept imported, as the
// server does). Client messages are prepared outside the measured regions; CPU is the process's
// user + system time (getrusage) around each server call only.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as opaque from '@serenity-kit/opaque';
import {
  exportDevicePublicKey,
  generateDeviceKeyPair,
  importDevicePublicKey,
  signDeviceChallenge,
  verifyDeviceSignatureWithKey,
} from '@tresor/crypto';
import { OpaqueServer, TotpVerifier } from '../../packages/server/src/modules/accounts/index.js';
import { totpCode } from '../../packages/server/src/testing/totp-codes.js';
import { CHEAP_STRETCHING } from './accounts.js';

export interface ComponentResult {
  readonly logins: number;
  /** CPU ms per login for each part. */
  readonly opaqueStartMs: number;
  readonly opaqueFinishMs: number;
  readonly totpMs: number;
  readonly deviceProofMs: number;
}

const PASSWORD = 'component benchmark password';

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export async function measureLoginComponents(logins: number): Promise<ComponentResult> {
  await opaque.ready;
  const server = await OpaqueServer.create(await OpaqueServer.newSetup());
  const username = 'component.user';
  const registration = opaque.client.startRegistration({ password: PASSWORD });
  const registrationResponse = server.registrationResponse(username, registration.registrationRequest);
  const { registrationRecord } = opaque.client.finishRegistration({
    clientRegistrationState: registration.clientRegistrationState,
    registrationResponse,
    password: PASSWORD,
    keyStretching: CHEAP_STRETCHING,
  });
  const totp = new TotpVerifier(randomBytes(32));
  const enrolment = totp.newEnrolment(username);
  const sealed = totp.seal(enrolment.secret);
  const device = await generateDeviceKeyPair();
  const devicePublicKey = await importDevicePublicKey(await exportDevicePublicKey(device.publicKey));

  const spent = { opaqueStart: 0, opaqueFinish: 0, totp: 0, device: 0 };
  const measure = async <T>(part: keyof typeof spent, work: () => T | Promise<T>): Promise<T> => {
    const before = cpuMs();
    const result = await work();
    spent[part] += cpuMs() - before;
    return result;
  };
  for (let i = 0; i < logins; i++) {
    const started = opaque.client.startLogin({ password: PASSWORD });
    const reply = await measure('opaqueStart', () =>
      server.startLogin(username, registrationRecord, started.startLoginRequest),
    );
    const finished = opaque.client.finishLogin({
      clientLoginState: started.clientLoginState,
      loginResponse: reply.loginResponse,
      password: PASSWORD,
      keyStretching: CHEAP_STRETCHING,
    });
    if (finished === undefined) throw new Error('component benchmark: OPAQUE login failed');
    const ok = await measure('opaqueFinish', () =>
      server.finishLogin(reply.serverLoginState, finished.finishLoginRequest),
    );
    const code = totpCode(enrolment.secret, performance.timeOrigin + performance.now());
    const step = await measure('totp', () => totp.matchStep(totp.unseal(sealed), code));
    const challenge = randomBytes(32);
    const signature = await signDeviceChallenge(device.privateKey, challenge);
    const verified = await measure('device', () =>
      verifyDeviceSignatureWithKey(devicePublicKey, challenge, signature),
    );
    if (!ok || step === undefined || !verified) throw new Error('component benchmark: a check failed');
  }
  return {
    logins,
    opaqueStartMs: spent.opaqueStart / logins,
    opaqueFinishMs: spent.opaqueFinish / logins,
    totpMs: spent.totp / logins,
    deviceProofMs: spent.device / logins,
  };
}
