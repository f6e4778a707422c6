import {
  createPracticeKeyGrant,
  generatePracticeKey,
  generateRecoveryCode,
  generateUserKey,
  generateUserKeyPairs,
  type RecoveryCode,
} from '@tresor/crypto';
import { accounts } from '../contract/index.js';
import type { HttpClient } from '../http.js';
import type { DeviceKeyStore } from './device-key-store.js';
import { ensureDeviceIdentity } from './device-identity.js';
import { type KeyStretching, opaqueClient } from './opaque-client.js';
import { buildNewUser } from './user-key-material.js';

export interface CreatePracticeInput {
  readonly practiceName: string;
  readonly username: string;
  readonly password: string;
  readonly deviceName: string;
  readonly devices: DeviceKeyStore;
  /** OPAQUE password stretching; leave unset (Argon2id, recommended) except in load tests. */
  readonly keyStretching?: KeyStretching;
}

export interface CreatedPractice {
  readonly practiceId: string;
  readonly userId: string;
  readonly deviceId: string;
  /** Shown once; the only way back in when the password is lost. Never sent to the server. */
  readonly recoveryCode: RecoveryCode;
}

/**
 * Creates a practice on this device: practice key, user key, key pairs and recovery code are
 * made here; the server receives only OPAQUE's registration record, wrapped keys and public keys.
 */
export async function createPractice(http: HttpClient, input: CreatePracticeInput): Promise<CreatedPractice> {
  const opaque = await opaqueClient();
  const username = input.username.trim().toLowerCase();
  const { clientRegistrationState, registrationRequest } = opaque.startRegistration({
    password: input.password,
  });
  const { registrationResponse } = await http.call('POST', '/api/v1/auth/registration/start', {
    schema: accounts.RegistrationStartReply,
    body: { username, registrationRequest },
  });
  const { registrationRecord, exportKey } = opaque.finishRegistration({
    clientRegistrationState,
    registrationResponse,
    password: input.password,
    ...(input.keyStretching && { keyStretching: input.keyStretching }),
  });

  const practiceId = globalThis.crypto.randomUUID();
  const userId = globalThis.crypto.randomUUID();
  const pairs = generateUserKeyPairs();
  const recoveryCode = generateRecoveryCode();
  const user = await buildNewUser({
    practiceId,
    userId,
    username,
    registrationRecord,
    exportKey,
    userKey: generateUserKey(),
    pairs,
    recoveryCode,
  });
  const grant = await createPracticeKeyGrant({
    practiceId,
    pkVersion: 1,
    practiceKey: generatePracticeKey(),
    recipientUserId: userId,
    recipientEncryptionKey: pairs.encryption.publicKey,
    granterUserId: userId,
    granterSigningKey: pairs.signing.privateKey,
  });
  const { identity } = await ensureDeviceIdentity(input.devices, input.deviceName);
  await http.call('POST', '/api/v1/practices', {
    schema: accounts.CreatePracticeReply,
    body: {
      practiceId,
      practiceName: input.practiceName,
      user,
      device: { deviceId: identity.deviceId, name: identity.name, publicKey: identity.publicKey },
      grant,
    },
  });
  return { practiceId, userId, deviceId: identity.deviceId, recoveryCode };
}
