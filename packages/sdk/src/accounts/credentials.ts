import {
  type UserKey,
  base64urlToBytes,
  bytesToBase64url,
  deriveRecoverySigningKeyPair,
  deriveRecoveryWrappingKey,
  deriveUserKeyWrappingKey,
  parseRecoveryCode,
  signMessage,
  unwrapKey,
  userKeyFromBytes,
  utf8ToBytes,
  wrapKey,
} from '@tresor/crypto';
import { Type } from '@sinclair/typebox';
import { TresorApiError } from '../api-error.js';
import { accounts } from '../contract/index.js';
import type { HttpClient } from '../http.js';
import { opaqueClient } from './opaque-client.js';
import { ENVELOPE_PURPOSE } from './user-key-material.js';

/** A new OPAQUE record for `password` and the user key wrapped under its export key. */
async function reRegister(
  http: HttpClient,
  input: { username: string; password: string; practiceId: string; userId: string; userKey: UserKey },
): Promise<{
  registrationRecord: string;
  userKeyByPassword: accounts.PasswordChangeBody['userKeyByPassword'];
}> {
  const opaque = await opaqueClient();
  const { clientRegistrationState, registrationRequest } = opaque.startRegistration({
    password: input.password,
  });
  const { registrationResponse } = await http.call('POST', '/api/v1/auth/registration/start', {
    schema: accounts.RegistrationStartReply,
    body: { username: input.username, registrationRequest },
  });
  const { registrationRecord, exportKey } = opaque.finishRegistration({
    clientRegistrationState,
    registrationResponse,
    password: input.password,
  });
  const wrapping = await deriveUserKeyWrappingKey(base64urlToBytes(exportKey), input.userId);
  const userKeyByPassword = await wrapKey(wrapping, 'uk-password', input.userKey, {
    practiceId: input.practiceId,
    owner: input.userId,
    purpose: ENVELOPE_PURPOSE.userKeyByPassword,
  });
  return { registrationRecord, userKeyByPassword };
}

/**
 * Changes the password of a signed-in user: user key, practice keys and data stay as they are.
 * The current password is proven by a fresh OPAQUE login bound to the change; neither password
 * leaves this device. Throws TresorApiError `auth.login_failed` when the current password is
 * wrong (nothing is changed then).
 */
export async function changePassword(
  http: HttpClient,
  session: { token: string; practiceId: string; userId: string; username: string; userKey: UserKey },
  currentPassword: string,
  newPassword: string,
): Promise<{ revokedSessions: number }> {
  const opaque = await opaqueClient();
  const { clientLoginState, startLoginRequest } = opaque.startLogin({ password: currentPassword });
  const started = await http.call('POST', '/api/v1/auth/password/start', {
    schema: accounts.PasswordChangeStartReply,
    body: { startLoginRequest },
    token: session.token,
  });
  const proven = opaque.finishLogin({
    clientLoginState,
    loginResponse: started.loginResponse,
    password: currentPassword,
  });
  const body = await reRegister(http, { ...session, password: newPassword });
  // A wrong current password is detected here, on the device. The server is still told, so that
  // the failure is delayed, audited and counted towards an alarm like a failed login.
  const reply = await http.call('POST', '/api/v1/auth/password', {
    schema: Type.Object({ revokedSessions: Type.Integer() }),
    body: {
      loginId: started.loginId,
      finishLoginRequest:
        proven?.finishLoginRequest ?? bytesToBase64url(globalThis.crypto.getRandomValues(new Uint8Array(96))),
      ...body,
    },
    token: session.token,
  });
  if (proven === undefined)
    throw new TresorApiError('auth.login_failed', 'The current password is wrong.', 401);
  return reply;
}

/**
 * Regains access with the recovery code and sets a new password. The code stays on this device:
 * it unwraps the user key locally and signs the server's challenge with the key derived from it.
 */
export async function recoverAccount(
  http: HttpClient,
  input: { username: string; recoveryCode: string; newPassword: string },
): Promise<void> {
  const username = input.username.trim().toLowerCase();
  const code = parseRecoveryCode(input.recoveryCode);
  if (code === undefined) throw new TresorApiError('recovery.failed', 'This is not a recovery code.', 0);
  const start = await http.call('POST', '/api/v1/auth/recovery/start', {
    schema: accounts.RecoveryStartReply,
    body: { username },
  });
  const context = {
    practiceId: start.practiceId,
    owner: start.userId,
    purpose: ENVELOPE_PURPOSE.userKeyByRecovery,
  };
  let userKey: UserKey;
  try {
    const wrapping = await deriveRecoveryWrappingKey(code, start.userId);
    userKey = userKeyFromBytes(await unwrapKey(wrapping, start.userKeyByRecovery, context));
  } catch {
    throw new TresorApiError(
      'recovery.failed',
      'Recovery failed: the recovery code does not fit this account.',
      0,
    );
  }
  const signing = await deriveRecoverySigningKeyPair(code, start.userId);
  const prefix = utf8ToBytes('tresor/recovery-proof/v1');
  const challenge = base64urlToBytes(start.challenge);
  const message = new Uint8Array(prefix.length + challenge.length);
  message.set(prefix);
  message.set(challenge, prefix.length);
  const body = await reRegister(http, {
    username,
    password: input.newPassword,
    practiceId: start.practiceId,
    userId: start.userId,
    userKey,
  });
  await http.call('POST', '/api/v1/auth/recovery/finish', {
    schema: Type.Object({ ok: Type.Literal(true) }),
    body: {
      recoveryId: start.recoveryId,
      signature: bytesToBase64url(signMessage(signing.privateKey, message)),
      ...body,
    },
  });
}
