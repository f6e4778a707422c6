import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AcceptedInvite, AccountSession } from '@tresor/sdk';
import {
  type Ed25519PrivateKey,
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  createPracticeKeyGrant,
  generatePracticeKey,
  generateUserKeyPairs,
  x25519PublicKeyFromBytes,
} from '@tresor/crypto';
import { LINK_BASE, MembersFixture, rejectsWith } from '../../testing/members-fixture.js';

/** Roles (seed 003: primary users manage users, secondary users cannot), removal and key rotation (flow 9). */
describe('members: roles, removal, practice-key rotation', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let secondary: AccountSession;
  let leaver: AccountSession;
  let waiting: AcceptedInvite;
  /** Fingerprints the primary's device confirmed at the hand-overs (userId → fingerprint). */
  const pins = new Map<string, string>();

  const state = () => f.snapshot();
  const practiceKeyVersion = async () =>
    f.asOwner(async (trx) => {
      const row = await trx.selectFrom('practices').select('current_pk_version').executeTakeFirstOrThrow();
      return row.current_pk_version;
    });

  /** Grants of `version` for the given members, signed by `signer` (default: the primary). */
  const grantsFor = async (
    version: number,
    userIds: readonly string[],
    signer: Ed25519PrivateKey = primary.keys.pairs.signing.privateKey,
    granterUserId = primary.userId,
  ) => {
    const { members } = await primary.members();
    const practiceKey = generatePracticeKey();
    return Promise.all(
      userIds.map((id) =>
        createPracticeKeyGrant({
          practiceId: primary.practiceId,
          pkVersion: version,
          practiceKey,
          recipientUserId: id,
          recipientEncryptionKey: x25519PublicKeyFromBytes(
            base64urlToBytes(members.find((m) => m.userId === id)!.encryptionPublicKey),
          ),
          granterUserId,
          granterSigningKey: signer,
        }),
      ),
    );
  };

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Dr. Berger', 'h.berger');
    secondary = await f.onboard(primary, 's.klein');
    leaver = await f.onboard(primary, 't.wolf');
    waiting = (await f.join(primary, 'p.neu')).accepted;
    for (const name of ['s.klein', 't.wolf']) {
      const accepted = f.person(name).accepted!;
      pins.set(accepted.userId, accepted.fingerprint);
    }
  });
  after(() => f.close());

  it('lists members with roles, status, public keys and the key versions they hold', async () => {
    const { currentPkVersion, members } = await secondary.members();
    assert.equal(currentPkVersion, 1);
    const byName = new Map(members.map((m) => [m.username, m]));
    assert.deepEqual(
      [...byName.values()].map((m) => [m.username, m.role, m.status, m.keyVersions]),
      [
        ['h.berger', 'primary', 'active', [1]],
        ['s.klein', 'secondary', 'active', [1]],
        ['t.wolf', 'secondary', 'active', [1]],
        ['p.neu', 'secondary', 'active', []],
      ],
    );
    assert.equal(
      byName.get('h.berger')?.signingPublicKey,
      bytesToBase64url(primary.keys.pairs.signing.publicKey),
    );
    const unauthenticated = await f.raw('GET', '/api/v1/practice/members');
    assert.deepEqual([unauthenticated.status, unauthenticated.code], [401, 'auth.unauthenticated']);
  });

  it('answers a secondary user 403 on every primary-only route, and nothing changes', async () => {
    const pending = await primary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    const mySigning = secondary.keys.pairs.signing.privateKey;
    const [grantToWaiting] = await grantsFor(1, [waiting.userId], mySigning, secondary.userId);
    const rotation = await grantsFor(
      2,
      [primary.userId, secondary.userId, leaver.userId],
      mySigning,
      secondary.userId,
    );
    const calls: [string, string, unknown][] = [
      ['POST', '/api/v1/invites', { role: 'secondary' }],
      ['GET', '/api/v1/invites', undefined],
      ['DELETE', `/api/v1/invites/${pending.inviteId}`, undefined],
      ['POST', '/api/v1/practice/grants', { grant: grantToWaiting }],
      ['POST', '/api/v1/practice/key-rotations', { pkVersion: 2, grants: rotation }],
      ['PATCH', `/api/v1/users/${secondary.userId}`, { role: 'primary' }],
      ['PATCH', `/api/v1/users/${primary.userId}`, { role: 'secondary' }],
      ['DELETE', `/api/v1/users/${leaver.userId}`, undefined],
      ['DELETE', `/api/v1/users/${primary.userId}`, undefined],
    ];
    const before = await state();
    for (const [method, path, body] of calls) {
      const asSecondary = await f.raw(method, path, { token: secondary.token, body });
      assert.deepEqual([asSecondary.status, asSecondary.code], [403, 'auth.forbidden'], `${method} ${path}`);
      const anonymous = await f.raw(method, path, { body });
      assert.deepEqual(
        [anonymous.status, anonymous.code],
        [401, 'auth.unauthenticated'],
        `${method} ${path}`,
      );
    }
    assert.equal(await state(), before, 'nothing changed');
    await assert.rejects(
      secondary.createInvite({ role: 'secondary', linkBase: LINK_BASE }),
      rejectsWith('auth.forbidden'),
    );
    await primary.revokeInvite(pending.inviteId);
  });

  it('keeps at least one active primary; role changes apply to running sessions at once', async () => {
    const before = await state();
    await assert.rejects(primary.changeRole(primary.userId, 'secondary'), rejectsWith('users.last_primary'));
    await assert.rejects(primary.removeUser(primary.userId), rejectsWith('users.last_primary'));
    assert.equal(await state(), before);

    const promoted = await primary.changeRole(secondary.userId, 'primary');
    assert.equal(promoted.role, 'primary');
    const invite = await secondary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    assert.equal((await secondary.invites()).invites.length, (await primary.invites()).invites.length);
    // Now there are two primaries, either may step down.
    const demoted = await primary.changeRole(secondary.userId, 'secondary');
    assert.equal(demoted.role, 'secondary');
    await assert.rejects(secondary.invites(), rejectsWith('auth.forbidden'));
    // Their invite pinned their key as granter; a secondary user cannot hand over keys, so it is withdrawn.
    const listed = (await primary.invites()).invites.find((i) => i.inviteId === invite.inviteId);
    assert.equal(listed?.state, 'revoked');
    await assert.rejects(f.accept(invite.link, 'via.demoted'), rejectsWith('invites.invalid'));
  });

  it('serialises concurrent changes: two primaries demoting each other leave one primary', async () => {
    await primary.changeRole(secondary.userId, 'primary');
    const results = await Promise.allSettled([
      primary.changeRole(secondary.userId, 'secondary'),
      secondary.changeRole(primary.userId, 'secondary'),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results));
    const { members } = await primary.members();
    const primaries = members.filter((m) => m.role === 'primary' && m.status === 'active');
    assert.equal(primaries.length, 1);
    // Back to the starting point: h.berger the only primary.
    if (primaries[0]?.userId === secondary.userId) {
      await secondary.changeRole(primary.userId, 'primary');
      await primary.changeRole(secondary.userId, 'secondary');
    }
    assert.equal((await primary.members()).members.filter((m) => m.role === 'primary').length, 1);
  });

  it('lets exactly one of two concurrent accepts of the same invite through', async () => {
    const { link } = await primary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    const results = await Promise.allSettled([f.accept(link, 'race.one'), f.accept(link, 'race.two')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failed = results.find((r) => r.status === 'rejected');
    assert.ok(failed !== undefined && rejectsWith('invites.invalid')(failed.reason));
    const joined = (await primary.members()).members.filter((m) => m.username.startsWith('race.'));
    assert.equal(joined.length, 1);
    // They never held a key; removed without a rotation, to keep this file's key versions simple.
    const removed = await f.raw('DELETE', `/api/v1/users/${joined[0]!.userId}`, { token: primary.token });
    assert.equal(removed.status, 200);
  });

  it('answers bad input with stable 4xx codes and changes nothing', async () => {
    const token = primary.token;
    const randomId = globalThis.crypto.randomUUID();
    const holders = [primary.userId, secondary.userId, leaver.userId];
    const good = await grantsFor(2, holders);
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/v1/invites', '{"role":', 400, 'request.invalid_json'],
      ['POST', '/api/v1/invites', { role: 'admin' }, 400, 'request.invalid'],
      ['POST', '/api/v1/invites', { role: 'secondary', validForHours: 0 }, 400, 'request.invalid'],
      ['POST', '/api/v1/invites', { role: 'secondary', validForHours: 169 }, 400, 'request.invalid'],
      ['POST', '/api/v1/invites', { role: 'secondary', validForHours: 1.5 }, 400, 'request.invalid'],
      ['POST', '/api/v1/invites', { role: 'secondary', validForHours: '24' }, 400, 'request.invalid'],
      ['POST', '/api/v1/invites', { role: 'secondary', by: 'me' }, 400, 'request.invalid'],
      ['DELETE', '/api/v1/invites/not-a-uuid', undefined, 400, 'request.invalid'],
      ['DELETE', `/api/v1/invites/${randomId}`, undefined, 404, 'invites.not_found'],
      ['POST', '/api/v1/invites/accept', {}, 400, 'request.invalid'],
      [
        'POST',
        '/api/v1/invites/accept',
        { practiceId: randomId, inviteId: randomId, token: 'short' },
        400,
        'request.invalid',
      ],
      ['PATCH', '/api/v1/users/not-a-uuid', { role: 'secondary' }, 400, 'request.invalid'],
      ['PATCH', `/api/v1/users/${randomId}`, { role: 'secondary' }, 404, 'users.not_found'],
      ['PATCH', `/api/v1/users/${secondary.userId}`, { role: 'owner' }, 400, 'request.invalid'],
      ['PATCH', `/api/v1/users/${secondary.userId}`, {}, 400, 'request.invalid'],
      ['DELETE', `/api/v1/users/${randomId}`, undefined, 404, 'users.not_found'],
      ['DELETE', '/api/v1/users/1', undefined, 400, 'request.invalid'],
      ['POST', '/api/v1/practice/key-rotations', { pkVersion: 1, grants: good }, 400, 'request.invalid'],
      ['POST', '/api/v1/practice/key-rotations', { pkVersion: 2, grants: [] }, 400, 'request.invalid'],
      [
        'POST',
        '/api/v1/practice/key-rotations',
        { pkVersion: 3, grants: await grantsFor(3, holders) },
        400,
        'grants.invalid',
      ],
      [
        'POST',
        '/api/v1/practice/key-rotations',
        { pkVersion: 2, grants: good.slice(0, 2) },
        400,
        'grants.invalid',
      ],
      [
        'POST',
        '/api/v1/practice/key-rotations',
        { pkVersion: 2, grants: [...good, good[1]] },
        400,
        'grants.invalid',
      ],
      [
        'POST',
        '/api/v1/practice/key-rotations',
        { pkVersion: 2, grants: await grantsFor(2, [...holders, waiting.userId]) },
        400,
        'grants.invalid',
      ],
      [
        'POST',
        '/api/v1/practice/key-rotations',
        {
          pkVersion: 2,
          grants: [
            ...good.slice(0, 2),
            ...(await grantsFor(2, [leaver.userId], generateUserKeyPairs().signing.privateKey)),
          ],
        },
        400,
        'grants.invalid',
      ],
    ];
    const before = await state();
    for (const [method, path, body, status, code] of cases) {
      const answer = await f.raw(method, path, { token, body });
      assert.deepEqual(
        [answer.status, answer.code],
        [status, code],
        `${method} ${path} ${JSON.stringify(body ?? null).slice(0, 60)}`,
      );
    }
    assert.equal(await state(), before);
    assert.equal(await practiceKeyVersion(), 1);
  });

  it('removes a user at once and rotates the practice key for the remaining members', async () => {
    const leaverDevices = (await primary.devices()).devices.filter((d) => d.userId === leaver.userId);
    const { removed, rotation } = await primary.removeUser(leaver.userId, { trustedMembers: pins });
    assert.deepEqual(removed, {
      revokedSessions: 1,
      revokedDevices: leaverDevices.length,
      revokedInvites: 0,
    });

    // Their session ends with the next request, and their login name is gone.
    await assert.rejects(leaver.members(), rejectsWith('auth.unauthenticated'));
    await assert.rejects(f.signIn('t.wolf'), rejectsWith('auth.login_failed'));
    assert.ok(
      (await primary.devices()).devices
        .filter((d) => d.userId === leaver.userId)
        .every((d) => d.status === 'revoked'),
    );
    const lookups = await f.asOwner((trx) =>
      trx.selectFrom('tenant_lookup').select(['kind', 'key']).execute(),
    );
    assert.ok(!lookups.some((l) => l.kind === 'username' && l.key === 't.wolf'));

    // Version 2 went to exactly the members who held version 1, not to the removed one, not to
    // the one still waiting for their first hand-over.
    assert.equal(rotation.pkVersion, 2);
    assert.deepEqual([...rotation.recipients].sort(), [primary.userId, secondary.userId].sort());
    assert.equal(await practiceKeyVersion(), 2);
    const v2 = await f.asOwner((trx) =>
      trx.selectFrom('practice_key_grants').select('recipient_user_id').where('pk_version', '=', 2).execute(),
    );
    assert.deepEqual(v2.map((r) => r.recipient_user_id).sort(), [primary.userId, secondary.userId].sort());
    const { members } = await primary.members();
    assert.deepEqual(members.find((m) => m.userId === leaver.userId)?.keyVersions, [1]);
    assert.equal(members.find((m) => m.userId === leaver.userId)?.status, 'removed');

    // The remaining member opens both versions; old data stays readable through version 1.
    assert.equal(primary.keys.currentPkVersion, 2);
    secondary = await f.signIn('s.klein');
    assert.equal(secondary.keys.currentPkVersion, 2);
    assert.deepEqual(secondary.keys.practiceKeys.get(1), primary.keys.practiceKeys.get(1));
    assert.deepEqual(secondary.keys.practiceKeys.get(2), primary.keys.practiceKeys.get(2));
    assert.notDeepEqual(primary.keys.practiceKeys.get(2), primary.keys.practiceKeys.get(1));

    // The member still waiting gets every version at their hand-over.
    assert.deepEqual(await primary.grantPracticeKey(waiting.userId, waiting.fingerprint), {
      pkVersions: [1, 2],
    });
    pins.set(waiting.userId, waiting.fingerprint);
    const newcomer = await f.signIn('p.neu');
    assert.deepEqual(newcomer.keys.practiceKeys.get(2), primary.keys.practiceKeys.get(2));
    assert.deepEqual(newcomer.keys.practiceKeys.get(1), primary.keys.practiceKeys.get(1));

    for (const attempt of [
      () => primary.removeUser(leaver.userId),
      () => primary.changeRole(leaver.userId, 'primary'),
    ]) {
      await assert.rejects(attempt(), rejectsWith('users.not_found'));
    }
  });

  it('refuses to rotate to a member key the server swapped (pinned fingerprints)', async () => {
    const original = (await primary.members()).members.find((m) => m.userId === secondary.userId)!;
    const swapped = bytesToBase64url(generateUserKeyPairs().encryption.publicKey);
    const setKey = (key: string) =>
      f.asOwner((trx) =>
        trx
          .updateTable('users')
          .set({ encryption_public_key: key })
          .where('id', '=', secondary.userId)
          .execute(),
      );
    await setKey(swapped);
    try {
      const before = await state();
      await assert.rejects(
        primary.rotatePracticeKey({ trustedMembers: pins }),
        rejectsWith('grants.invalid'),
      );
      await assert.rejects(
        primary.rotatePracticeKey({ trustedMembers: new Map() }),
        rejectsWith('grants.invalid'),
      );
      await assert.rejects(
        primary.grantPracticeKey(secondary.userId, pins.get(secondary.userId)!),
        rejectsWith('grants.invalid'),
      );
      assert.equal(await state(), before, 'nothing was sent');
      assert.equal(primary.keys.currentPkVersion, 2);
    } finally {
      await setKey(original.encryptionPublicKey);
    }
  });

  it("withdraws a removed primary's invites, and rotates again", async () => {
    await primary.changeRole(secondary.userId, 'primary');
    const invite = await secondary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    const { removed, rotation } = await primary.removeUser(secondary.userId, { trustedMembers: pins });
    assert.equal(removed.revokedInvites, 1);
    await assert.rejects(f.accept(invite.link, 'via.removed'), rejectsWith('invites.invalid'));
    assert.equal(rotation.pkVersion, 3);
    assert.deepEqual([...rotation.recipients].sort(), [primary.userId, waiting.userId].sort());
    const newcomer = await f.signIn('p.neu');
    assert.deepEqual(newcomer.keys.practiceKeys.get(3), primary.keys.practiceKeys.get(3));
  });

  it('writes role changes, removals and rotations into the audit trail', async () => {
    const res = await f.raw('GET', '/api/v1/audit/entries?limit=1000', { token: primary.token });
    const actions = new Set((res.body as { entries: { action: string }[] }).entries.map((e) => e.action));
    for (const action of [
      'user.promoted',
      'user.demoted',
      'user.removed',
      'practice_key.rotated',
      'invite.revoked',
    ]) {
      assert.ok(actions.has(action), `missing audit action ${action}`);
    }
  });

  it('never lets the server see passwords, recovery codes or any practice-key version in clear', async () => {
    const secrets = new Map<string, string>();
    for (const person of f.people.values()) {
      secrets.set(`password of ${person.username}`, person.password);
      secrets.set(`recovery code of ${person.username}`, person.recoveryCode.replaceAll('-', ''));
    }
    for (const [version, key] of primary.keys.practiceKeys) {
      secrets.set(`practice key v${version} (base64url)`, bytesToBase64url(key));
      secrets.set(`practice key v${version} (hex)`, bytesToHex(key));
    }
    assert.equal(primary.keys.practiceKeys.size, 3);
    const rows = await f.dump();
    const bodies = f.recorded.join('\n');
    for (const [name, secret] of secrets) {
      assert.ok(!bodies.includes(secret), `${name} found in a request body`);
      assert.ok(!rows.includes(secret), `${name} found in a database row`);
    }
  });
});
