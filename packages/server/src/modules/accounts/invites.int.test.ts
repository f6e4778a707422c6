import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type AccountSession,
  GrantVerificationError,
  HttpClient,
  MemoryDeviceKeyStore,
  acceptInvite,
  createPractice,
  memberFingerprint,
  parseInviteLink,
} from '@tresor/sdk';
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

/**
 * Flows 4 and 5 of the accounts issue: a user joins only through an invite from a primary user,
 * and gets the practice key only from a primary's device, after both compared fingerprints.
 */
describe('invites and the practice-key hand-over', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let invitee: AccountSession;
  const tokens: string[] = [];

  before(async () => {
    f = await MembersFixture.start();
    primary = await f.found('Praxis Dr. Weber', 'a.weber');
  });
  after(() => f.close());

  it('hands over the key: invite → accept → same fingerprint on both screens → grant → login', async () => {
    const invite = await primary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    tokens.push(invite.token);
    assert.ok(invite.link.startsWith(`${LINK_BASE}#`), 'everything secret is in the fragment');
    const parsed = parseInviteLink(invite.link);
    assert.equal(parsed.inviteId, invite.inviteId);
    assert.equal(parsed.granterUserId, primary.userId);
    assert.equal(parsed.granterSigningKey, bytesToBase64url(primary.keys.pairs.signing.publicKey));
    const expiresInHours = (Date.parse(invite.expiresAt) - f.clock.now()) / 3_600_000;
    assert.ok(expiresInHours > 71.9 && expiresInHours <= 72, `default validity 72 h, got ${expiresInHours}`);

    const { accepted } = await joinWith(invite.link, 'm.schulz');
    assert.equal(accepted.practiceId, primary.practiceId);

    // The primary's screen: the accepted invite with the invitee's public keys.
    const { invites } = await primary.invites();
    const listed = invites.find((i) => i.inviteId === invite.inviteId);
    assert.equal(listed?.state, 'accepted');
    assert.equal(listed.invitee?.userId, accepted.userId);
    assert.equal(listed.invitee.username, 'm.schulz');
    assert.deepEqual(listed.invitee.keyVersions, []);
    const onPrimaryScreen = await memberFingerprint(listed.invitee);
    assert.match(onPrimaryScreen, /^\d{5}( \d{5}){5}$/);
    assert.equal(onPrimaryScreen, accepted.fingerprint);

    // Before the hand-over the invitee can sign in (first device approved by the invite) but holds no key.
    const early = await f.signIn('m.schulz');
    assert.equal(early.info.user.role, 'secondary');
    assert.equal(early.keys.practiceKeys.size, 0);
    assert.equal(await early.fingerprint(), accepted.fingerprint);

    // A fingerprint that does not match the keys the server lists: nothing is sent.
    const before = await f.snapshot();
    await assert.rejects(
      primary.grantPracticeKey(accepted.userId, '00000 00000 00000 00000 00000 00000'),
      rejectsWith('grants.invalid'),
    );
    assert.equal(await f.snapshot(), before);

    assert.deepEqual(await primary.grantPracticeKey(accepted.userId, onPrimaryScreen), { pkVersions: [1] });
    invitee = await f.signIn('m.schulz');
    const key = invitee.keys.practiceKeys.get(1);
    assert.ok(key);
    assert.deepEqual(key, primary.keys.practiceKeys.get(1));
    const { members } = await invitee.members();
    assert.deepEqual(members.find((m) => m.userId === invitee.userId)?.keyVersions, [1]);
  });

  it('refuses a used, revoked, expired or tampered invite with 410 and changes nothing', async () => {
    const used = (await primary.invites()).invites.find((i) => i.state === 'accepted');
    assert.ok(used);
    const unchanged = async (attempt: () => Promise<unknown>, code = 'invites.invalid') => {
      const before = await f.snapshot();
      await assert.rejects(attempt(), rejectsWith(code));
      assert.equal(await f.snapshot(), before);
    };

    const reused = await primary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    tokens.push(reused.token);
    await joinWith(reused.link, 'first.taker');
    await unchanged(() => joinWith(reused.link, 'second.taker'));

    const revoked = await primary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
    await primary.revokeInvite(revoked.inviteId);
    await unchanged(() => joinWith(revoked.link, 'too.late'));
    await unchanged(() => primary.revokeInvite(revoked.inviteId));
    await unchanged(() => primary.revokeInvite(used.inviteId));
    await unchanged(() => primary.revokeInvite(globalThis.crypto.randomUUID()), 'invites.not_found');

    const shortLived = await primary.createInvite({ role: 'primary', validForHours: 1, linkBase: LINK_BASE });
    const tampered = shortLived.link.replace(/t=[^&]+/, `t=${bytesToBase64url(new Uint8Array(32))}`);
    await unchanged(() => joinWith(tampered, 'guessing'));
    const otherPractice = shortLived.link.replace(/p=[^&]+/, `p=${globalThis.crypto.randomUUID()}`);
    await unchanged(() => joinWith(otherPractice, 'elsewhere'));
    await unchanged(() => joinWith(shortLived.link, 'a.weber'), 'accounts.username_taken');
    f.clock.advance(61 * 60 * 1000);
    await unchanged(() => joinWith(shortLived.link, 'expired'));
    const states = new Map((await primary.invites()).invites.map((i) => [i.inviteId, i.state]));
    assert.equal(states.get(shortLived.inviteId), 'expired');
    assert.equal(states.get(revoked.inviteId), 'revoked');
    assert.equal(states.get(reused.inviteId), 'accepted');
  });

  it('refuses ids that are already in use, even in another practice (409, nothing stored)', async () => {
    const other = await createPractice(f.http, {
      practiceName: 'Andere Praxis',
      username: 'other.practice',
      password: 'other practice password',
      deviceName: 'PC',
      devices: new MemoryDeviceKeyStore(),
    });
    for (const [field, id] of [
      ['userId', other.userId],
      ['userId', primary.userId],
      ['deviceId', other.deviceId],
    ] as const) {
      const invite = await primary.createInvite({ role: 'secondary', linkBase: LINK_BASE });
      const rewriting: typeof fetch = async (input, init) => {
        if (
          typeof input === 'string' &&
          input.endsWith('/api/v1/invites/accept') &&
          typeof init?.body === 'string'
        ) {
          const body = JSON.parse(init.body) as { user: { userId: string }; device: { deviceId: string } };
          if (field === 'userId') body.user.userId = id;
          else body.device.deviceId = id;
          return fetch(input, { ...init, body: JSON.stringify(body) });
        }
        return fetch(input, init);
      };
      const before = await f.snapshot();
      await assert.rejects(
        acceptInvite(new HttpClient({ baseUrl: f.server.url, fetch: rewriting }), {
          link: invite.link,
          username: `taken.${field.toLowerCase()}`,
          password: 'irrelevant password',
          deviceName: 'PC',
          devices: new MemoryDeviceKeyStore(),
        }),
        rejectsWith('accounts.id_taken'),
      );
      assert.equal(await f.snapshot(), before);
    }
  });

  it('refuses grants the server can check (400 grants.invalid) and malformed ones (400 request.invalid)', async () => {
    const { accepted } = await f.join(primary, 'no.key.yet');
    const recipient = {
      userId: accepted.userId,
      encryptionKey: x25519PublicKeyFromBytes(
        base64urlToBytes(
          (await primary.members()).members.find((m) => m.userId === accepted.userId)!.encryptionPublicKey,
        ),
      ),
    };
    const grant = (overrides: {
      signer?: Ed25519PrivateKey;
      granter?: string;
      recipient?: string;
      pkVersion?: number;
      practiceId?: string;
    }) =>
      createPracticeKeyGrant({
        practiceId: overrides.practiceId ?? primary.practiceId,
        pkVersion: overrides.pkVersion ?? 1,
        practiceKey: primary.keys.practiceKeys.get(1)!,
        recipientUserId: overrides.recipient ?? recipient.userId,
        recipientEncryptionKey: recipient.encryptionKey,
        granterUserId: overrides.granter ?? primary.userId,
        granterSigningKey: overrides.signer ?? primary.keys.pairs.signing.privateKey,
      });
    const madeUp = generateUserKeyPairs().signing.privateKey;
    const cases = {
      'signed with a key that is not the caller’s': await grant({ signer: madeUp }),
      'naming another granter': await grant({ granter: invitee.userId, signer: madeUp }),
      'naming another granter, signed by them': await grant({
        granter: invitee.userId,
        signer: invitee.keys.pairs.signing.privateKey,
      }),
      'for an unknown recipient': await grant({ recipient: globalThis.crypto.randomUUID() }),
      'for a version that does not exist': await grant({ pkVersion: 2 }),
      'for another practice': await grant({ practiceId: globalThis.crypto.randomUUID() }),
    };
    const before = await f.snapshot();
    for (const [name, body] of Object.entries(cases)) {
      const answer = await f.raw('POST', '/api/v1/practice/grants', {
        token: primary.token,
        body: { grant: body },
      });
      assert.deepEqual([answer.status, answer.code], [400, 'grants.invalid'], name);
    }
    const good = await grant({});
    const tamperedSignature = { ...good, signature: bytesToBase64url(new Uint8Array(64)) };
    const malformed = [
      { grant: { ...good, extra: 1 } },
      { grant: { ...good, pkVersion: 0 } },
      { grant: { ...good, sealed: { ...good.sealed, alg: 'RSA' } } },
      { grant: good, more: true },
      {},
    ];
    for (const body of malformed) {
      const answer = await f.raw('POST', '/api/v1/practice/grants', { token: primary.token, body });
      assert.deepEqual(
        [answer.status, answer.code],
        [400, 'request.invalid'],
        JSON.stringify(body).slice(0, 80),
      );
    }
    const bad = await f.raw('POST', '/api/v1/practice/grants', {
      token: primary.token,
      body: { grant: tamperedSignature },
    });
    assert.deepEqual([bad.status, bad.code], [400, 'grants.invalid']);
    assert.equal(await f.snapshot(), before);
    const ok = await f.raw('POST', '/api/v1/practice/grants', {
      token: primary.token,
      body: { grant: good },
    });
    assert.equal(ok.status, 201);
  });

  it("the invitee's client refuses a grant the server forged, and grants from unpinned granters", async () => {
    const { accepted } = await f.join(primary, 'target.of.forgery');
    const members = (await primary.members()).members;
    const target = members.find((m) => m.userId === accepted.userId)!;
    // The server (or its operator) makes up a practice key and a signing key, seals the key to the
    // invitee (whose public key it knows) and claims the primary granted it.
    const serversKey = generatePracticeKey();
    for (const claimedGranter of [primary.userId, accepted.userId]) {
      const forged = await createPracticeKeyGrant({
        practiceId: primary.practiceId,
        pkVersion: 1,
        practiceKey: serversKey,
        recipientUserId: accepted.userId,
        recipientEncryptionKey: x25519PublicKeyFromBytes(base64urlToBytes(target.encryptionPublicKey)),
        granterUserId: claimedGranter,
        granterSigningKey: generateUserKeyPairs().signing.privateKey,
      });
      await f.asOwner((trx) =>
        trx
          .insertInto('practice_key_grants')
          .values({
            practice_id: primary.practiceId,
            pk_version: 1,
            recipient_user_id: accepted.userId,
            granter_user_id: claimedGranter,
            grant_body: JSON.stringify(forged),
          })
          .onConflict((oc) =>
            oc.columns(['practice_id', 'pk_version', 'recipient_user_id']).doUpdateSet({
              granter_user_id: claimedGranter,
              grant_body: JSON.stringify(forged),
            }),
          )
          .execute(),
      );
      // The safe choice: one grant that fails verification refuses the whole unlock (login throws),
      // rather than skipping it and carrying on with whatever else the server sent.
      await assert.rejects(f.signIn('target.of.forgery'), (error: unknown) => {
        assert.ok(error instanceof GrantVerificationError, String(error));
        assert.equal(error.reason, 'bad_signature');
        return true;
      });
    }

    // The genuine hand-over replaces the forged row; without the pinned key it stays closed.
    await primary.grantPracticeKey(accepted.userId, accepted.fingerprint);
    const unpinned = await f.signIn('target.of.forgery', { trustedGranters: new Map() });
    assert.equal(unpinned.keys.practiceKeys.size, 0);
    assert.deepEqual(unpinned.untrustedGrants, [{ granterUserId: primary.userId, pkVersions: [1] }]);
    const session = await f.signIn('target.of.forgery');
    assert.deepEqual(session.keys.practiceKeys.get(1), primary.keys.practiceKeys.get(1));
    assert.notDeepEqual(session.keys.practiceKeys.get(1), serversKey);
    // That login stored the pin in the user's sealed list: a device without it opens the grant too.
    const elsewhere = await f.signIn('target.of.forgery', { trustedGranters: new Map() });
    assert.deepEqual(elsewhere.keys.practiceKeys.get(1), primary.keys.practiceKeys.get(1));
    assert.deepEqual(elsewhere.untrustedGrants, []);
  });

  it('writes invites and hand-overs into the audit trail', async () => {
    const res = await f.raw('GET', '/api/v1/audit/entries?limit=1000', { token: primary.token });
    const actions = new Set((res.body as { entries: { action: string }[] }).entries.map((e) => e.action));
    for (const action of [
      'invite.created',
      'invite.accepted',
      'invite.revoked',
      'user.created',
      'device.approved',
      'practice_key.granted',
    ]) {
      assert.ok(actions.has(action), `missing audit action ${action}`);
    }
  });

  it('never lets the server see passwords, recovery codes, keys in clear, or (in storage) invite tokens', async () => {
    const secrets = new Map<string, string>();
    for (const person of f.people.values()) {
      secrets.set(`password of ${person.username}`, person.password);
      secrets.set(`recovery code of ${person.username}`, person.recoveryCode);
      secrets.set(`recovery code of ${person.username} (compact)`, person.recoveryCode.replaceAll('-', ''));
    }
    for (const session of [primary, invitee]) {
      const add = (name: string, bytes: Uint8Array) => {
        secrets.set(`${name} (base64url)`, bytesToBase64url(bytes));
        secrets.set(`${name} (hex)`, bytesToHex(bytes));
      };
      add(`user key of ${session.info.user.username}`, session.keys.userKey);
      add(`x25519 private key of ${session.info.user.username}`, session.keys.pairs.encryption.privateKey);
      add(`ed25519 private key of ${session.info.user.username}`, session.keys.pairs.signing.privateKey);
      add('practice key v1', session.keys.practiceKeys.get(1)!);
    }
    const rows = await f.dump();
    const bodies = f.recorded.join('\n');
    assert.ok(rows.includes(invitee.userId) && bodies.length > 10_000, 'the haystacks hold the flows');
    for (const [name, secret] of secrets) {
      assert.ok(secret.length >= 16, name);
      assert.ok(!bodies.includes(secret), `${name} found in a request body`);
      assert.ok(!rows.includes(secret), `${name} found in a database row`);
    }
    for (const token of tokens) assert.ok(!rows.includes(token), 'an invite token is stored in clear');
  });

  const joinWith = async (link: string, username: string) => ({ accepted: await f.accept(link, username) });
});
