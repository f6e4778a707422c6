import { Type } from '@sinclair/typebox';
import { base64urlToBytes, bytesToBase64url, signDeviceChallenge } from '@tresor/crypto';
import { TresorApiError } from '../api-error.js';
import { accounts, errorCatalog, type passkeys } from '../contract/index.js';
import type { HttpClient } from '../http.js';
import { AccountSession } from './account-session.js';
import type { DeviceKeyStore } from './device-key-store.js';
import { ensureDeviceIdentity } from './device-identity.js';
import { type KeyStretching, opaqueClient } from './opaque-client.js';
import { type KeyVersionMemory, rememberOpenedVersion } from './key-version-memory.js';
import { trustedGrantersToStore, unlockKeys } from './unlock-keys.js';
import type { RecordVersionMemory } from '../records/record-version-memory.js';
import { sealTrustedGranters } from './trusted-granters.js';
import type { UnlockedKeys } from './user-key-material.js';

/** What the second-factor prompt gets: an enrolment (show QR + secret) or a plain code request. */
export type SecondFactorPrompt = (
  | {
      readonly kind: 'totp';
      /** Present when the user has passkeys: answer with `{ passkey }` instead of the code. */
      readonly passkeyOptions?: passkeys.PasskeyRequestOptions;
    }
  | { readonly kind: 'totp_enrolment'; readonly secret: string; readonly uri: string }
) & {
  /** The device's state (a pending device never gets here: login throws auth.device_pending). */
  readonly deviceStatus: 'approved' | 'pending';
  /** Set when asking again on the same login after a wrong code or passkey. */
  readonly retry?: { readonly code: 'auth.totp_invalid' | 'auth.passkey_invalid' };
};

/** The second factor: the 6-digit code, or a passkey's answer (`navigator.credentials.get()` as JSON). */
export type SecondFactorAnswer = string | { readonly passkey: passkeys.PasskeyAssertion };

export interface LoginInput {
  readonly username: string;
  readonly password: string;
  readonly devices: DeviceKeyStore;
  /** Name for this device if it is new (it then waits for approval). */
  readonly deviceName: string;
  /** Asks the user for the 6-digit code (after showing the enrolment, if any). */
  readonly secondFactor: (prompt: SecondFactorPrompt) => Promise<SecondFactorAnswer>;
  readonly trustedGranters?: ReadonlyMap<string, string>;
  /**
   * This device's memory of the highest practice-key version it opened: the session never
   * writes under an older one, whatever the server serves (see `KeyVersionMemory`).
   */
  readonly keyVersions?: KeyVersionMemory;
  /**
   * This device's memory of the record versions it opened: a later session refuses older
   * answers (`RecordRollbackError`), see `RecordVersionMemory`.
   */
  readonly recordVersions?: RecordVersionMemory;
  /** Must match the stretching used at registration; leave unset except in load tests. */
  readonly keyStretching?: KeyStretching;
}

/**
 * OPAQUE login → second factor → device proof → session → keys unlocked on this device.
 * Throws TresorApiError with the server's code (auth.login_failed, auth.totp_invalid,
 * auth.device_pending, ...).
 */
export async function login(http: HttpClient, input: LoginInput): Promise<AccountSession> {
  const opaque = await opaqueClient();
  const username = input.username.trim().toLowerCase();
  const { clientLoginState, startLoginRequest } = opaque.startLogin({ password: input.password });
  const started = await http.call('POST', '/api/v1/auth/login/start', {
    schema: accounts.LoginStartReply,
    body: { username, startLoginRequest },
  });
  const finished = opaque.finishLogin({
    clientLoginState,
    loginResponse: started.loginResponse,
    password: input.password,
    ...(input.keyStretching && { keyStretching: input.keyStretching }),
  });
  const { identity, isNew } = await ensureDeviceIdentity(input.devices, input.deviceName);
  // A wrong password is detected here, on the device. The server is still told, so that the
  // failure is delayed, audited and counted towards an alarm like any other.
  const step = await http.call('POST', '/api/v1/auth/login/finish', {
    schema: accounts.LoginFinishReply,
    body: {
      loginId: started.loginId,
      finishLoginRequest:
        finished?.finishLoginRequest ??
        bytesToBase64url(globalThis.crypto.getRandomValues(new Uint8Array(96))),
      deviceId: identity.deviceId,
      ...(isNew
        ? { newDevice: { deviceId: identity.deviceId, name: identity.name, publicKey: identity.publicKey } }
        : {}),
    },
  });
  if (finished === undefined)
    throw new TresorApiError('auth.login_failed', 'Login name or password is wrong.', 401);

  if (step.deviceStatus === 'pending') {
    const { en, status } = errorCatalog['auth.device_pending'];
    throw new TresorApiError('auth.device_pending', en, status);
  }
  const base: SecondFactorPrompt =
    step.secondFactor === 'totp_enrolment' && step.totpEnrolment
      ? { kind: 'totp_enrolment', ...step.totpEnrolment, deviceStatus: step.deviceStatus }
      : {
          kind: 'totp',
          deviceStatus: step.deviceStatus,
          ...(step.passkeyOptions && { passkeyOptions: step.passkeyOptions }),
        };
  const signature = bytesToBase64url(
    await signDeviceChallenge(identity.keyPair.privateKey, base64urlToBytes(step.challenge)),
  );
  const session = await completeLogin(http, step, signature, async (retry) =>
    step.secondFactor === 'none' ? undefined : input.secondFactor(retry ? { ...base, retry } : base),
  );
  const ids = { practiceId: session.practice.id, userId: session.user.id };
  const knownPkVersion = await input.keyVersions?.load(ids).catch(() => undefined);
  let keys: Awaited<ReturnType<typeof unlockKeys>>;
  try {
    keys = await unlockKeys({
      ...ids,
      exportKey: finished.exportKey,
      keys: session.keys,
      ...(input.trustedGranters ? { trustedGranters: input.trustedGranters } : {}),
      ...(knownPkVersion === undefined ? {} : { knownPkVersion }),
    });
  } catch (error) {
    // Keys that do not verify (e.g. a grant the server forged): end the session, then refuse.
    await http
      .call('POST', '/api/v1/auth/logout', {
        schema: Type.Object({ ok: Type.Literal(true) }),
        token: session.sessionToken,
      })
      .catch(() => undefined);
    throw error;
  }
  // Best effort: if this fails, the user's other devices ask to confirm the granter instead.
  await storeNewPins(http, session, keys, input.trustedGranters).catch(() => undefined);
  await rememberOpenedVersion(input.keyVersions, ids, keys);
  return new AccountSession(http, session, keys, {
    keyVersions: input.keyVersions,
    recordVersions: input.recordVersions,
  });
}

const SECOND_FACTOR_TRIES = 3;
type RetryReason = NonNullable<SecondFactorPrompt['retry']>;

/** Sends the second factor; a wrong code or passkey asks again on the same login (server: 3 tries). */
async function completeLogin(
  http: HttpClient,
  step: accounts.LoginFinishReply,
  deviceSignature: string,
  ask: (retry: RetryReason | undefined) => Promise<SecondFactorAnswer | undefined>,
): Promise<accounts.SessionReply> {
  let retry: RetryReason | undefined;
  for (let attempt = 1; ; attempt++) {
    const answer = await ask(retry);
    try {
      return await http.call('POST', '/api/v1/auth/login/complete', {
        schema: accounts.SessionReply,
        body: {
          loginToken: step.loginToken,
          deviceSignature,
          ...(answer === undefined ? {} : typeof answer === 'string' ? { totpCode: answer } : answer),
        },
      });
    } catch (error) {
      const code = error instanceof TresorApiError ? error.code : undefined;
      if (
        attempt >= SECOND_FACTOR_TRIES ||
        (code !== 'auth.totp_invalid' && code !== 'auth.passkey_invalid')
      ) {
        throw error;
      }
      retry = { code };
    }
  }
}

/** Pins given to this login (e.g. from an invite link) go into the user's stored list once. */
async function storeNewPins(
  http: HttpClient,
  session: accounts.SessionReply,
  keys: UnlockedKeys,
  pins: ReadonlyMap<string, string> | undefined,
): Promise<void> {
  const ids = { practiceId: session.practice.id, userId: session.user.id };
  const list = await trustedGrantersToStore(ids, keys.userKey, session.keys.trustedGranters, pins);
  if (list === undefined) return;
  await http.call('PUT', '/api/v1/me/trusted-granters', {
    schema: Type.Object({ ok: Type.Literal(true) }),
    body: { trustedGranters: await sealTrustedGranters(keys.userKey, ids, list) },
    token: session.sessionToken,
  });
}
