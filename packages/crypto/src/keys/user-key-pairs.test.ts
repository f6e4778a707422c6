import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import type { Ed25519PrivateKey, Ed25519PublicKey, X25519PublicKey } from './key-types.js';
import {
  decodePrivateKeys,
  encodePrivateKeys,
  generateUserKeyPairs,
  publicKeyFingerprint,
  signMessage,
  verifySignature,
} from './user-key-pairs.js';

// RFC 8032 §7.1, TEST 1 and TEST 2.
const RFC8032 = [
  {
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
];
// RFC 7748 §6.1: Alice's key pair.
const ALICE_X25519_PRIVATE = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const ALICE_X25519_PUBLIC = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';

describe('Ed25519 signatures', () => {
  it('match the RFC 8032 test vectors', () => {
    for (const vector of RFC8032) {
      const secretKey = hexToBytes(vector.secretKey) as Ed25519PrivateKey;
      const publicKey = hexToBytes(vector.publicKey) as Ed25519PublicKey;
      const message = hexToBytes(vector.message);
      const signature = signMessage(secretKey, message);
      assert.equal(bytesToHex(signature), vector.signature);
      assert.equal(verifySignature(publicKey, message, signature), true);
    }
  });

  it('reject another message, another key, and any flipped bit', () => {
    const pairs = generateUserKeyPairs();
    const other = generateUserKeyPairs();
    const message = randomBytes(100);
    const signature = signMessage(pairs.signing.privateKey, message);
    assert.equal(verifySignature(pairs.signing.publicKey, message, signature), true);
    assert.equal(verifySignature(pairs.signing.publicKey, randomBytes(100), signature), false);
    assert.equal(verifySignature(other.signing.publicKey, message, signature), false);
    for (let bit = 0; bit < 512; bit += 7) {
      const flipped = signature.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(verifySignature(pairs.signing.publicKey, message, flipped), false);
    }
  });

  it('never throw on malformed input', () => {
    const { signing } = generateUserKeyPairs();
    const message = new Uint8Array([1, 2, 3]);
    const signature = signMessage(signing.privateKey, message);
    const cases: [unknown, unknown, unknown][] = [
      [signing.publicKey, message, signature.slice(0, 63)],
      [signing.publicKey, message, new Uint8Array(65)],
      [signing.publicKey, message, new Uint8Array(64)],
      [signing.publicKey, message, new Uint8Array(64).fill(255)],
      [signing.publicKey.slice(0, 31), message, signature],
      [new Uint8Array(32).fill(255), message, signature],
      [new Uint8Array(32), message, signature],
      [null, message, signature],
      [signing.publicKey, 'message', signature],
      [signing.publicKey, message, 'signature'],
      [undefined, undefined, undefined],
    ];
    for (const [publicKey, msg, sig] of cases) {
      assert.equal(
        verifySignature(publicKey as Ed25519PublicKey, msg as Uint8Array, sig as Uint8Array),
        false,
      );
    }
    for (let i = 0; i < 200; i++) {
      assert.equal(
        verifySignature(randomBytes(32) as Ed25519PublicKey, randomBytes(i), randomBytes(64)),
        false,
      );
    }
  });
});

describe('private key encoding', () => {
  it('recomputes the RFC public keys from the 64 encoded bytes', () => {
    const decoded = decodePrivateKeys(hexToBytes(ALICE_X25519_PRIVATE + RFC8032[0]!.secretKey));
    assert.equal(bytesToHex(decoded.encryption.publicKey), ALICE_X25519_PUBLIC);
    assert.equal(bytesToHex(decoded.signing.publicKey), RFC8032[0]!.publicKey);
  });

  it('round-trips generated key pairs', () => {
    for (let i = 0; i < 20; i++) {
      const pairs = generateUserKeyPairs();
      const encoded = encodePrivateKeys(pairs);
      assert.equal(encoded.length, 64);
      assert.deepEqual(decodePrivateKeys(encoded), pairs);
    }
  });

  it('throws on a wrong length', () => {
    for (const length of [0, 32, 63, 65, 96]) {
      assert.throws(() => decodePrivateKeys(new Uint8Array(length)), RangeError);
    }
  });
});

describe('publicKeyFingerprint', () => {
  it('matches an independently computed vector (RFC 7748 Alice + RFC 8032 TEST 1 keys)', async () => {
    // SHA-256(utf8('tresor/fingerprint/v1') || x || ed); 6 × (big-endian uint40 of 5 bytes mod 100000),
    // computed with node:crypto and BigInt.
    const fingerprint = await publicKeyFingerprint(
      hexToBytes(ALICE_X25519_PUBLIC) as X25519PublicKey,
      hexToBytes(RFC8032[0]!.publicKey) as Ed25519PublicKey,
    );
    assert.equal(fingerprint, '09322 00957 79791 85701 44586 19194');
  });

  it('has the documented format, is deterministic and changes with either key', async () => {
    const a = generateUserKeyPairs();
    const b = generateUserKeyPairs();
    const fingerprint = await publicKeyFingerprint(a.encryption.publicKey, a.signing.publicKey);
    assert.match(fingerprint, /^\d{5}( \d{5}){5}$/);
    assert.equal(await publicKeyFingerprint(a.encryption.publicKey, a.signing.publicKey), fingerprint);
    assert.notEqual(await publicKeyFingerprint(b.encryption.publicKey, a.signing.publicKey), fingerprint);
    assert.notEqual(await publicKeyFingerprint(a.encryption.publicKey, b.signing.publicKey), fingerprint);
    await assert.rejects(
      publicKeyFingerprint(new Uint8Array(31) as X25519PublicKey, a.signing.publicKey),
      RangeError,
    );
  });
});
