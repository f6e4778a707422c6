import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64urlToBytes, bytesToBase64url, hexToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import type { EnvelopeContext } from './context.js';
import { DecryptionError } from './errors.js';
import type { X25519PrivateKey, X25519PublicKey } from './key-types.js';
import { isSealedBox, openSealedBox, sealToPublicKey, type SealedBox } from './sealed-box.js';
import { generateUserKeyPairs } from './user-key-pairs.js';

const context: EnvelopeContext = { practiceId: 'practice-1', owner: 'user-bob', purpose: 'pk.grant.v1' };

function flipBit(text: string, bit: number): string {
  const bytes = base64urlToBytes(text);
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  return bytesToBase64url(bytes);
}

describe('sealToPublicKey / openSealedBox', () => {
  it('round-trips and produces a valid box with a fresh ephemeral key', async () => {
    const { encryption } = generateUserKeyPairs();
    const epks = new Set<string>();
    for (const length of [0, 1, 32, 1000]) {
      const plaintext = randomBytes(length);
      const sealed = await sealToPublicKey(encryption.publicKey, plaintext, context);
      assert.equal(isSealedBox(sealed), true);
      assert.equal(sealed.alg, 'X25519-HKDF-A256GCM');
      epks.add(sealed.epk);
      const parsed: unknown = JSON.parse(JSON.stringify(sealed));
      assert.ok(isSealedBox(parsed));
      assert.deepEqual(await openSealedBox(encryption.privateKey, parsed, context), plaintext);
    }
    assert.equal(epks.size, 4);
  });

  it('opens a known-answer box built from the RFC 7748 §6.1 shared secret', async () => {
    // Alice's RFC key plays the ephemeral key, Bob's the recipient. Independently computed with
    // node:crypto: key = HKDF-SHA-256(shared 4a5d9d5b…1742, salt = alicePub || bobPub,
    // info 'tresor/sealed-box/v1'), nonce 00..0b, AAD per spec, plaintext 32 × 0x42.
    const bobPrivate = hexToBytes(
      '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb',
    ) as X25519PrivateKey;
    const sealed: SealedBox = {
      v: 1,
      alg: 'X25519-HKDF-A256GCM',
      epk: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo',
      nonce: 'AAECAwQFBgcICQoL',
      ct: 'iCnlgKm1JHYajt6ob3tm8dk0-YIxdMcHYj2MzcYy1I1PYk6-BHkd6H1jI1q9Lv1k',
    };
    assert.deepEqual(await openSealedBox(bobPrivate, sealed, context), new Uint8Array(32).fill(0x42));
  });

  it('fails with DecryptionError on tampering, another context, another key or a low-order epk', async () => {
    const { encryption } = generateUserKeyPairs();
    const sealed = await sealToPublicKey(encryption.publicKey, randomBytes(32), context);
    const otherEpk = bytesToBase64url(generateUserKeyPairs().encryption.publicKey);
    const boxes: unknown[] = [
      { ...sealed, epk: otherEpk },
      { ...sealed, epk: bytesToBase64url(new Uint8Array(32)) },
      { ...sealed, epk: bytesToBase64url(hexToBytes(`01${'00'.repeat(31)}`)) },
      { ...sealed, nonce: flipBit(sealed.nonce, 3) },
      { ...sealed, ct: flipBit(sealed.ct, 0) },
      { ...sealed, ct: flipBit(sealed.ct, 8 * 47) },
      { ...sealed, v: 2 },
      { ...sealed, alg: 'A256GCM' },
    ];
    for (const box of boxes) {
      await assert.rejects(openSealedBox(encryption.privateKey, box as SealedBox, context), DecryptionError);
    }
    for (const other of [
      { ...context, practiceId: 'practice-2' },
      { ...context, owner: 'user-eve' },
      { ...context, purpose: 'pk.grant.v2' },
    ]) {
      await assert.rejects(openSealedBox(encryption.privateKey, sealed, other), DecryptionError);
    }
    await assert.rejects(
      openSealedBox(generateUserKeyPairs().encryption.privateKey, sealed, context),
      DecryptionError,
    );
  });

  it('refuses to seal to an invalid (low-order or short) recipient key', async () => {
    for (const recipient of [new Uint8Array(32), hexToBytes(`01${'00'.repeat(31)}`), new Uint8Array(31)]) {
      await assert.rejects(
        sealToPublicKey(recipient as X25519PublicKey, new Uint8Array(1), context),
        TypeError,
      );
    }
  });
});

describe('isSealedBox', () => {
  it('accepts exactly the sealed box shape', async () => {
    const good = await sealToPublicKey(
      generateUserKeyPairs().encryption.publicKey,
      new Uint8Array(0),
      context,
    );
    const bad: unknown[] = [
      null,
      [],
      'box',
      { ...good, extra: 1 },
      { v: 1, alg: good.alg, epk: good.epk, nonce: good.nonce },
      { ...good, v: '1' },
      { ...good, epk: bytesToBase64url(new Uint8Array(31)) },
      { ...good, epk: bytesToBase64url(new Uint8Array(33)) },
      { ...good, nonce: bytesToBase64url(new Uint8Array(11)) },
      { ...good, ct: bytesToBase64url(new Uint8Array(15)) },
      { ...good, ct: `${good.ct}=` },
    ];
    assert.equal(isSealedBox(good), true);
    for (const value of bad) assert.equal(isSealedBox(value), false, JSON.stringify(value));
  });
});
