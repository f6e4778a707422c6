import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type PracticeKey,
  type PracticeKeyGrant,
  type UserKeyPairs,
  bytesToBase64url,
  createPracticeKeyGrant,
  generatePracticeKey,
  generateUserKey,
  generateUserKeyPairs,
  sealEnvelope,
} from '@tresor/crypto';
import { TresorApiError } from '../api-error.js';
import type { accounts } from '../contract/index.js';
import { HttpClient } from '../http.js';
import { AccountSession } from './account-session.js';
import { memberFingerprint } from './invites.js';
import { removeUser } from './members.js';
import { openTrustedGranters } from './trusted-granters.js';
import { openKeyMaterial } from './unlock-keys.js';
import type { UnlockedKeys } from './user-key-material.js';

const practiceId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';

interface Person {
  readonly userId: string;
  readonly username: string;
  readonly pairs: UserKeyPairs;
}

function person(userId: string, username: string): Person {
  return { userId, username, pairs: generateUserKeyPairs() };
}

/** The primary on this device, a colleague who stays, and the user being removed. */
const primary = person('0b4e7f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', 'h.berger');
const colleague = person('1c5f8a3b-2d4e-4f6a-9b0c-1d2e3f4a5b6c', 's.klein');
const leaver = person('2d6a9b4c-3e5f-4a7b-8c1d-2e3f4a5b6c7d', 't.wolf');

function view(p: Person, status: 'active' | 'removed', keyVersions: number[]): accounts.MemberView {
  return {
    userId: p.userId,
    username: p.username,
    role: p === primary ? 'primary' : 'secondary',
    status,
    encryptionPublicKey: bytesToBase64url(p.pairs.encryption.publicKey),
    signingPublicKey: bytesToBase64url(p.pairs.signing.publicKey),
    keyVersions,
  };
}

/**
 * A practice server at practice-key version `currentPkVersion`. `honest: false` is one colluding
 * with the leaver: after their removal it still lists them as an active holder of the current
 * version. Every request is recorded.
 */
function practiceServer(options: { honest: boolean; currentPkVersion?: number }) {
  const requests: { method: string; path: string; body: Record<string, unknown> }[] = [];
  let leaverStatus: 'active' | 'removed' = 'active';
  const current = options.currentPkVersion ?? 1;
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const method = init?.method ?? 'GET';
    const body = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Record<string, unknown>;
    requests.push({ method, path, body });
    const held = Array.from({ length: current }, (_, i) => i + 1);
    if (method === 'DELETE' && path === `/api/v1/users/${leaver.userId}`) {
      if (options.honest) leaverStatus = 'removed';
      return Response.json({ revokedSessions: 1, revokedDevices: 1, revokedInvites: 0 });
    }
    if (path === '/api/v1/practice/members') {
      return Response.json({
        currentPkVersion: current,
        members: [
          view(primary, 'active', held),
          view(colleague, 'active', held),
          view(leaver, leaverStatus, held),
        ],
      });
    }
    if (path === '/api/v1/practice/key-rotations') {
      const { pkVersion, grants } = body as { pkVersion: number; grants: unknown[] };
      return Response.json({ pkVersion, recipients: grants.length });
    }
    if (path === '/api/v1/practice/grants') {
      const { grant } = body as { grant: PracticeKeyGrant };
      return Response.json({ pkVersion: grant.pkVersion, recipientUserId: grant.recipientUserId });
    }
    if (path === '/api/v1/me/trusted-granters') return Response.json({ ok: true });
    return Response.json({ error: { code: 'request.not_found', message: 'no such route' } }, { status: 404 });
  };
  const grantsSent = () =>
    requests.flatMap(({ body }) => [
      ...((body.grants ?? []) as PracticeKeyGrant[]),
      ...(body.grant === undefined ? [] : [body.grant as PracticeKeyGrant]),
    ]);
  return { http: new HttpClient({ baseUrl: 'http://tresor.test', fetch }), requests, grantsSent };
}

const v1 = generatePracticeKey();
const v2 = generatePracticeKey();

function unlocked(
  practiceKeys: ReadonlyMap<number, PracticeKey>,
  trustedGranters: ReadonlyMap<string, string> = new Map(),
): UnlockedKeys {
  return {
    userKey: generateUserKey(),
    pairs: primary.pairs,
    practiceKeys,
    currentPkVersion: Math.max(...practiceKeys.keys()),
    trustedGranters,
    untrustedGrants: [],
  };
}

async function session(http: HttpClient, keys: UnlockedKeys): Promise<AccountSession> {
  const envelope = await sealEnvelope(keys.userKey, 'uk', new Uint8Array(1), {
    practiceId,
    owner: primary.userId,
    purpose: 'unused',
  });
  const info: accounts.SessionReply = {
    sessionToken: 'session-token',
    sessionId: '3e7b0c5d-4f6a-4b8c-9d2e-3f4a5b6c7d8e',
    expiresAt: '2030-01-01T00:00:00.000Z',
    practice: { id: practiceId, name: 'Praxis Dr. Berger', requireTwoFactor: false },
    user: { id: primary.userId, username: primary.username, role: 'primary' },
    deviceId: '4f8c1d6e-5a7b-4c9d-8e3f-4a5b6c7d8e9f',
    keys: { userKeyByPassword: envelope, privateKeys: envelope, currentPkVersion: 1, grants: [] },
  };
  return new AccountSession(http, info, keys);
}

const refusedByClient = (error: unknown) =>
  error instanceof TresorApiError && error.code === 'grants.invalid' && error.status === 0;

describe('removing a user: the rotation never includes them', () => {
  it('refuses the rotation when the server still lists the removed user as active; no grant for them', async () => {
    const server = practiceServer({ honest: false });
    const primarySession = await session(server.http, unlocked(new Map([[1, v1]])));
    // As the web app used to pass it: every member this device ever confirmed, the leaver too.
    const confirmed = new Map<string, string>();
    for (const p of [colleague, leaver])
      confirmed.set(p.userId, await memberFingerprint(view(p, 'active', [])));

    await assert.rejects(primarySession.removeUser(leaver.userId, { trustedMembers: confirmed }), (error) => {
      assert.ok(refusedByClient(error));
      assert.match((error as Error).message, /removed user t\.wolf/);
      return true;
    });
    assert.ok(!server.requests.some((r) => r.path === '/api/v1/practice/key-rotations'));
    assert.deepEqual(
      server.grantsSent().filter((g) => g.recipientUserId === leaver.userId),
      [],
    );
    assert.equal(primarySession.keys.currentPkVersion, 1);
    // A later rotation of this session is refused too, and so is the stateless SDK function.
    await assert.rejects(primarySession.rotatePracticeKey(), refusedByClient);
    const granter = { token: 't', practiceId, userId: primary.userId, keys: unlocked(new Map([[1, v1]])) };
    await assert.rejects(removeUser(server.http, granter, leaver.userId), refusedByClient);
    assert.ok(!server.requests.some((r) => r.path === '/api/v1/practice/key-rotations'));
  });

  it('rotates to the remaining members when the server lists the removed user as removed', async () => {
    const server = practiceServer({ honest: true });
    const primarySession = await session(server.http, unlocked(new Map([[1, v1]])));
    const { rotation } = await primarySession.removeUser(leaver.userId);
    assert.equal(rotation.pkVersion, 2);
    assert.deepEqual([...rotation.recipients].sort(), [primary.userId, colleague.userId].sort());
    assert.deepEqual(
      server
        .grantsSent()
        .map((g) => g.recipientUserId)
        .sort(),
      [...rotation.recipients].sort(),
    );
    assert.equal(primarySession.keys.currentPkVersion, 2);
  });

  it("stops trusting the removed user's signature: own grants re-signed, trust list stored without them", async () => {
    const server = practiceServer({ honest: true });
    const trusted = new Map([
      [leaver.userId, bytesToBase64url(leaver.pairs.signing.publicKey)],
      [colleague.userId, bytesToBase64url(colleague.pairs.signing.publicKey)],
    ]);
    const keys = unlocked(new Map([[1, v1]]), trusted);
    const primarySession = await session(server.http, keys);
    await primarySession.removeUser(leaver.userId);

    assert.deepEqual([...primarySession.trustedGranters.keys()], [colleague.userId]);
    const regranted = server.requests.filter((r) => r.path === '/api/v1/practice/grants');
    assert.deepEqual(
      regranted
        .map((r) => r.body.grant as PracticeKeyGrant)
        .map((g) => [g.pkVersion, g.recipientUserId, g.granterUserId]),
      [[1, primary.userId, primary.userId]],
    );
    const stored = server.requests.find((r) => r.path === '/api/v1/me/trusted-granters');
    assert.ok(stored);
    const list = await openTrustedGranters(
      keys.userKey,
      { practiceId, userId: primary.userId },
      stored.body.trustedGranters as accounts.KeyMaterial['privateKeys'],
    );
    assert.deepEqual([...list.keys()], [colleague.userId]);

    // At the next unlock, a grant the leaver signs (a key of their own, passed off as a newer
    // version) stays closed, and the re-signed grant opens version 1.
    const forged = await createPracticeKeyGrant({
      practiceId,
      pkVersion: 3,
      practiceKey: generatePracticeKey(),
      recipientUserId: primary.userId,
      recipientEncryptionKey: primary.pairs.encryption.publicKey,
      granterUserId: leaver.userId,
      granterSigningKey: leaver.pairs.signing.privateKey,
    });
    const reopened = await openKeyMaterial({
      practiceId,
      userId: primary.userId,
      userKey: keys.userKey,
      pairs: primary.pairs,
      keys: {
        userKeyByPassword: stored.body.trustedGranters as accounts.KeyMaterial['privateKeys'],
        privateKeys: stored.body.trustedGranters as accounts.KeyMaterial['privateKeys'],
        currentPkVersion: 3,
        grants: [regranted[0]!.body.grant as accounts.GrantBody, forged],
        trustedGranters: stored.body.trustedGranters as accounts.KeyMaterial['privateKeys'],
      },
    });
    assert.deepEqual(reopened.untrustedGrants, [{ granterUserId: leaver.userId, pkVersions: [3] }]);
    assert.deepEqual([...reopened.practiceKeys.keys()], [1]);
    assert.deepEqual(reopened.practiceKeys.get(1), v1);
  });
});

describe('rotating the practice key', () => {
  it('is refused when the server reports an older version than this device holds', async () => {
    const server = practiceServer({ honest: true, currentPkVersion: 1 });
    const primarySession = await session(
      server.http,
      unlocked(
        new Map([
          [1, v1],
          [2, v2],
        ]),
      ),
    );
    await assert.rejects(primarySession.rotatePracticeKey(), (error) => {
      assert.ok(refusedByClient(error));
      assert.match((error as Error).message, /version 1, older than version 2/);
      return true;
    });
    assert.deepEqual(server.grantsSent(), []);
    assert.deepEqual(primarySession.keys.practiceKeys.get(2), v2);
  });
});
