import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as opaque from '@serenity-kit/opaque';
import {
  type Envelope,
  type UserKeyPairs,
  bytesToBase64url,
  createPracticeKeyGrant,
  generatePracticeKey,
  generateRecoveryCode,
  generateUserKey,
  generateUserKeyPairs,
} from '@tresor/crypto';
import type { accounts } from '../contract/index.js';
import { HttpClient } from '../http.js';
import { MemoryDeviceKeyStore } from './device-key-store.js';
import { login } from './login.js';
import type { KeyStretching } from './opaque-client.js';
import { openTrustedGranters, sealTrustedGranters } from './trusted-granters.js';
import { buildNewUser } from './user-key-material.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
/** Fast stretching: registration and login in this test use the same. */
const keyStretching: KeyStretching = { 'argon2id-custom': { iterations: 1, memory: 1024, parallelism: 1 } };

interface Person {
  readonly userId: string;
  readonly username: string;
  readonly pairs: UserKeyPairs;
}

function person(userId: string, username: string): Person {
  return { userId, username, pairs: generateUserKeyPairs() };
}

/** The member signing in, the primary who stays, and a primary who was removed. */
const member = person('1c5f8a3b-2d4e-4f6a-9b0c-1d2e3f4a5b6c', 's.klein');
const primary = person('0b4e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', 'h.berger');
const leaver = person('2d6a9b4c-3e5f-4a7b-8c1d-2e3f4a5b6c7d', 't.wolf');
const password = 'correct horse battery staple';
const signingKey = (p: Person) => bytesToBase64url(p.pairs.signing.publicKey);

function memberView(p: Person, status: 'active' | 'removed'): accounts.MemberView {
  return {
    userId: p.userId,
    username: p.username,
    role: p === member ? 'secondary' : 'primary',
    status,
    encryptionPublicKey: bytesToBase64url(p.pairs.encryption.publicKey),
    signingPublicKey: signingKey(p),
    keyVersions: [1],
  };
}

function grant(granter: Person, pkVersion: number, practiceKey = generatePracticeKey()) {
  return createPracticeKeyGrant({
    practiceId,
    pkVersion,
    practiceKey,
    recipientUserId: member.userId,
    recipientEncryptionKey: member.pairs.encryption.publicKey,
    granterUserId: granter.userId,
    granterSigningKey: granter.pairs.signing.privateKey,
  });
}

/**
 * A server colluding with the removed primary: it lists them as removed (that much is true), but
 * still serves the member a grant they signed after their removal, a key of their own passed off
 * as version 2. The member's stored trust list is the one from before the removal (the leaver
 * handed the member their first key). Every request is recorded.
 */
async function colludingServer(options: { leaverStatus: 'active' | 'removed'; membersFail?: boolean }) {
  await opaque.ready;
  const serverSetup = opaque.server.createSetup();
  const started = opaque.client.startRegistration({ password });
  const { registrationResponse } = opaque.server.createRegistrationResponse({
    serverSetup,
    userIdentifier: member.username,
    registrationRequest: started.registrationRequest,
  });
  const registered = opaque.client.finishRegistration({
    clientRegistrationState: started.clientRegistrationState,
    registrationResponse,
    password,
    keyStretching,
  });
  const userKey = generateUserKey();
  const user = await buildNewUser({
    practiceId,
    userId: member.userId,
    username: member.username,
    registrationRecord: registered.registrationRecord,
    exportKey: registered.exportKey,
    userKey,
    pairs: member.pairs,
    recoveryCode: generateRecoveryCode(),
  });
  const v1 = generatePracticeKey();
  const forged = generatePracticeKey();
  const storedList = await sealTrustedGranters(
    userKey,
    { practiceId, userId: member.userId },
    new Map([
      [primary.userId, signingKey(primary)],
      [leaver.userId, signingKey(leaver)],
    ]),
  );
  const keys: accounts.KeyMaterial = {
    userKeyByPassword: user.userKeyByPassword,
    privateKeys: user.privateKeys,
    currentPkVersion: 2,
    grants: [await grant(leaver, 1, v1), await grant(leaver, 2, forged)],
    trustedGranters: storedList,
  };
  const requests: { method: string; path: string; body: Record<string, unknown> }[] = [];
  let serverLoginState = '';
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const method = init?.method ?? 'GET';
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Record<string, unknown>;
    requests.push({ method, path, body });
    switch (`${method} ${path}`) {
      case 'POST /api/v1/auth/login/start': {
        const answer = opaque.server.startLogin({
          serverSetup,
          userIdentifier: member.username,
          registrationRecord: registered.registrationRecord,
          startLoginRequest: body.startLoginRequest as string,
        });
        serverLoginState = answer.serverLoginState;
        return Response.json({ loginId: 'login-1', loginResponse: answer.loginResponse });
      }
      case 'POST /api/v1/auth/login/finish':
        opaque.server.finishLogin({
          serverLoginState,
          finishLoginRequest: body.finishLoginRequest as string,
        });
        return Response.json({
          loginToken: 'login-token',
          challenge: bytesToBase64url(globalThis.crypto.getRandomValues(new Uint8Array(32))),
          secondFactor: 'none',
          deviceStatus: 'approved',
        });
      case 'POST /api/v1/auth/login/complete':
        return Response.json({
          sessionToken: 'session-token',
          sessionId: '3e7b0c5d-4f6a-4b8c-9d2e-3f4a5b6c7d8e',
          expiresAt: '2030-01-01T00:00:00.000Z',
          practice: { id: practiceId, name: 'Praxis Dr. Berger', requireTwoFactor: false },
          user: { id: member.userId, username: member.username, role: 'secondary' },
          deviceId: '4f8c1d6e-5a7b-4c9d-8e3f-4a5b6c7d8e9f',
          keys,
        } satisfies accounts.SessionReply);
      case 'GET /api/v1/me/keys':
        // A replay of the stored trust list from before, the leaver still on it.
        return Response.json(keys);
      case 'GET /api/v1/practice/members':
        if (options.membersFail === true) {
          return Response.json({ error: { code: 'server.unavailable', message: 'down' } }, { status: 503 });
        }
        return Response.json({
          currentPkVersion: 2,
          members: [
            memberView(primary, 'active'),
            memberView(member, 'active'),
            memberView(leaver, options.leaverStatus),
          ],
        });
      case 'PUT /api/v1/me/trusted-granters':
      case 'POST /api/v1/auth/logout':
        return Response.json({ ok: true });
    }
    return Response.json({ error: { code: 'request.not_found', message: 'no such route' } }, { status: 404 });
  };
  const storedLists = async () => {
    const puts = requests.filter((r) => r.method === 'PUT' && r.path === '/api/v1/me/trusted-granters');
    return Promise.all(
      puts.map(async (r) => [
        ...(
          await openTrustedGranters(
            userKey,
            { practiceId, userId: member.userId },
            r.body.trustedGranters as Envelope,
          )
        ).keys(),
      ]),
    );
  };
  return { http: new HttpClient({ baseUrl: 'http://tresor.test', fetch }), v1, forged, storedLists };
}

const signIn = (http: HttpClient, pins: ReadonlyMap<string, string>) =>
  login(http, {
    username: member.username,
    password,
    devices: new MemoryDeviceKeyStore(),
    deviceName: 'Empfang',
    keyStretching,
    trustedGranters: pins,
    secondFactor: () => Promise.reject(new Error('no second factor expected')),
  });

/** The leaver's signing key as this device pinned it from their invite link. */
const leaverPin = new Map([[leaver.userId, signingKey(leaver)]]);

describe('login: a granter the member list reports as removed', () => {
  it('is no longer trusted: their grants stay closed, and the stored list loses them', async () => {
    const server = await colludingServer({ leaverStatus: 'removed' });
    const session = await signIn(server.http, leaverPin);

    assert.equal(session.keys.practiceKeys.has(2), false, 'the key the leaver signed after removal');
    assert.notDeepEqual(session.keys.practiceKeys.get(2), server.forged);
    assert.deepEqual([...session.trustedGranters.keys()], [primary.userId]);
    // Not offered for a fingerprint comparison either: trusting them again is not the way out.
    assert.deepEqual(session.untrustedGrants, []);
    assert.deepEqual(await server.storedLists(), [[primary.userId]]);
  });

  it('stays untrusted for the session, even when a refresh brings a stored list or pin with them', async () => {
    const server = await colludingServer({ leaverStatus: 'removed' });
    const session = await signIn(server.http, leaverPin);
    await session.refreshKeys(leaverPin);
    assert.equal(session.keys.practiceKeys.has(2), false);
    assert.deepEqual([...session.trustedGranters.keys()], [primary.userId]);
  });

  it('is still trusted while the member list reports them active, and when the list cannot be loaded', async () => {
    for (const options of [
      { leaverStatus: 'active' as const },
      { leaverStatus: 'removed' as const, membersFail: true },
    ]) {
      const server = await colludingServer(options);
      const session = await signIn(server.http, leaverPin);
      assert.deepEqual(session.keys.practiceKeys.get(1), server.v1);
      assert.deepEqual(session.keys.practiceKeys.get(2), server.forged);
      assert.deepEqual(await server.storedLists(), []);
    }
  });
});
