import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToBase64url, bytesToUtf8 } from '../encoding.js';
import { DecryptionError } from './errors.js';
import { generatePracticeKey, type Ed25519PublicKey, type PracticeKey } from './key-types.js';
import {
  createPracticeKeyGrant,
  grantSigningBytes,
  GrantVerificationError,
  isPracticeKeyGrant,
  openPracticeKeyGrant,
  type GrantVerificationReason,
  type PracticeKeyGrant,
} from './practice-key-grant.js';
import { sealToPublicKey } from './sealed-box.js';
import { generateUserKeyPairs, signMessage, type UserKeyPairs } from './user-key-pairs.js';

const PRACTICE = 'practice-1';
const alice = { id: 'user-alice', keys: generateUserKeyPairs() }; // trusted primary, holds the key
const bob = { id: 'user-bob', keys: generateUserKeyPairs() }; // recipient
const carol = { id: 'user-carol', keys: generateUserKeyPairs() }; // another user, not a primary
const practiceKey = generatePracticeKey();

function trusted(userId: string): Ed25519PublicKey | undefined {
  return userId === alice.id ? alice.keys.signing.publicKey : undefined;
}

function expectedFor(user: { id: string; keys: UserKeyPairs }, practiceId = PRACTICE) {
  return {
    practiceId,
    recipientUserId: user.id,
    recipientEncryptionPrivateKey: user.keys.encryption.privateKey,
    trustedGranterKey: trusted,
  };
}

async function grantFromAlice(pkVersion = 1): Promise<PracticeKeyGrant> {
  return createPracticeKeyGrant({
    practiceId: PRACTICE,
    pkVersion,
    practiceKey,
    recipientUserId: bob.id,
    recipientEncryptionKey: bob.keys.encryption.publicKey,
    granterUserId: alice.id,
    granterSigningKey: alice.keys.signing.privateKey,
  });
}

function rejectedWith(reason: GrantVerificationReason) {
  return (error: unknown) => {
    assert.ok(error instanceof GrantVerificationError, String(error));
    assert.equal(error.reason, reason);
    return true;
  };
}

function resign(grant: Omit<PracticeKeyGrant, 'signature'>, signer: UserKeyPairs): PracticeKeyGrant {
  return {
    ...grant,
    signature: bytesToBase64url(signMessage(signer.signing.privateKey, grantSigningBytes(grant))),
  };
}

describe('practice key grants', () => {
  it('a valid grant opens to the practice key, also after a JSON round trip', async () => {
    const grant = await grantFromAlice(3);
    assert.equal(isPracticeKeyGrant(grant), true);
    const parsed: unknown = JSON.parse(JSON.stringify(grant));
    assert.deepEqual(await openPracticeKeyGrant(parsed, expectedFor(bob)), practiceKey);
  });

  it('signs exactly the documented bytes', async () => {
    const grant = await grantFromAlice(2);
    const { sealed } = grant;
    assert.equal(
      bytesToUtf8(grantSigningBytes(grant)),
      JSON.stringify([
        'tresor/pk-grant/v1',
        PRACTICE,
        2,
        bob.id,
        alice.id,
        1,
        'X25519-HKDF-A256GCM',
        sealed.epk,
        sealed.nonce,
        sealed.ct,
      ]),
    );
  });

  it('rejects a bad signature', async () => {
    const grant = await grantFromAlice();
    const other = await grantFromAlice();
    await assert.rejects(
      openPracticeKeyGrant({ ...grant, signature: other.signature }, expectedFor(bob)),
      rejectedWith('bad_signature'),
    );
    await assert.rejects(
      openPracticeKeyGrant({ ...grant, signature: bytesToBase64url(new Uint8Array(64)) }, expectedFor(bob)),
      rejectedWith('bad_signature'),
    );
  });

  it('rejects a grant signed by a key that is not trusted', async () => {
    // Carol really signs, but Bob does not trust Carol as a granter.
    const grant = await createPracticeKeyGrant({
      practiceId: PRACTICE,
      pkVersion: 1,
      practiceKey,
      recipientUserId: bob.id,
      recipientEncryptionKey: bob.keys.encryption.publicKey,
      granterUserId: carol.id,
      granterSigningKey: carol.keys.signing.privateKey,
    });
    await assert.rejects(openPracticeKeyGrant(grant, expectedFor(bob)), rejectedWith('untrusted_granter'));
  });

  it('rejects a grant forged by a malicious server', async () => {
    // The server invents a practice key, seals it to Bob (his public key is public) and signs
    // with a key of its own making.
    const server = generateUserKeyPairs();
    const fakeKey = generatePracticeKey();
    const sealed = await sealToPublicKey(bob.keys.encryption.publicKey, fakeKey, {
      practiceId: PRACTICE,
      owner: bob.id,
      purpose: 'pk.grant.v1',
    });
    const body = { v: 1, practiceId: PRACTICE, pkVersion: 1, recipientUserId: bob.id, sealed } as const;
    // Claiming to come from a made-up granter: untrusted.
    const asServer = resign({ ...body, granterUserId: 'server' }, server);
    await assert.rejects(openPracticeKeyGrant(asServer, expectedFor(bob)), rejectedWith('untrusted_granter'));
    // Claiming to come from Alice, the trusted primary: the signature does not verify.
    const asAlice = resign({ ...body, granterUserId: alice.id }, server);
    await assert.rejects(openPracticeKeyGrant(asAlice, expectedFor(bob)), rejectedWith('bad_signature'));
    // Swapping Alice's genuine signature onto the forged box does not help either.
    const genuine = await grantFromAlice();
    await assert.rejects(
      openPracticeKeyGrant({ ...genuine, sealed }, expectedFor(bob)),
      rejectedWith('bad_signature'),
    );
  });

  it('rejects a changed pkVersion, recipient or practice', async () => {
    const grant = await grantFromAlice(1);
    // Fields edited in place: the signature no longer covers them.
    await assert.rejects(
      openPracticeKeyGrant({ ...grant, pkVersion: 2 }, expectedFor(bob)),
      rejectedWith('bad_signature'),
    );
    const forCarol = { ...grant, recipientUserId: carol.id };
    await assert.rejects(openPracticeKeyGrant(forCarol, expectedFor(carol)), rejectedWith('bad_signature'));
    await assert.rejects(
      openPracticeKeyGrant({ ...grant, practiceId: 'practice-2' }, expectedFor(bob, 'practice-2')),
      rejectedWith('bad_signature'),
    );
    // Genuine grants served to the wrong user or in the wrong practice.
    await assert.rejects(openPracticeKeyGrant(grant, expectedFor(carol)), rejectedWith('wrong_recipient'));
    await assert.rejects(
      openPracticeKeyGrant(grant, expectedFor(bob, 'practice-2')),
      rejectedWith('wrong_practice'),
    );
  });

  it('cannot be opened with the wrong private key even when everything else checks out', async () => {
    const grant = await grantFromAlice();
    await assert.rejects(
      openPracticeKeyGrant(grant, {
        ...expectedFor(bob),
        recipientEncryptionPrivateKey: carol.keys.encryption.privateKey,
      }),
      DecryptionError,
    );
  });

  it('rejects malformed grants', async () => {
    const grant = await grantFromAlice();
    const malformed: unknown[] = [
      null,
      'grant',
      [],
      {},
      { ...grant, extra: true },
      { ...grant, v: 2 },
      { ...grant, pkVersion: 0 },
      { ...grant, pkVersion: 1.5 },
      { ...grant, pkVersion: '1' },
      { ...grant, practiceId: '' },
      { ...grant, recipientUserId: 'x'.repeat(257) },
      { ...grant, granterUserId: 5 },
      { ...grant, sealed: { ...grant.sealed, extra: 1 } },
      { ...grant, sealed: null },
      { ...grant, signature: grant.signature.slice(0, -2) },
      { ...grant, signature: `${grant.signature}=` },
    ];
    for (const value of malformed) {
      assert.equal(isPracticeKeyGrant(value), false);
      await assert.rejects(openPracticeKeyGrant(value, expectedFor(bob)), rejectedWith('malformed'));
    }
  });

  it('refuses invalid input when creating', async () => {
    const base = {
      practiceId: PRACTICE,
      pkVersion: 1,
      practiceKey,
      recipientUserId: bob.id,
      recipientEncryptionKey: bob.keys.encryption.publicKey,
      granterUserId: alice.id,
      granterSigningKey: alice.keys.signing.privateKey,
    };
    await assert.rejects(createPracticeKeyGrant({ ...base, pkVersion: 0 }), RangeError);
    await assert.rejects(createPracticeKeyGrant({ ...base, practiceId: '' }), TypeError);
    await assert.rejects(
      createPracticeKeyGrant({ ...base, practiceKey: new Uint8Array(16) as PracticeKey }),
      RangeError,
    );
  });
});
