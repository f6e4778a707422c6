import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64urlToBytes, bytesToBase64url, utf8ToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import {
  deviceFingerprint,
  exportDevicePublicKey,
  generateDeviceKeyPair,
  signDeviceChallenge,
  verifyDeviceSignature,
} from './device-key.js';

// A fixed P-256 key, its SPKI, a proof over the challenge 00..1f and the fingerprint, all made
// independently with node:crypto (sign with dsaEncoding 'ieee-p1363'; SHA-256 + BigInt).
const FIXED_SPKI =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETGqEG73YTxa73UrZsO8jNCDnN7RyRNnjdQI6BZoC6wbHwZQoINTYbhoaOp5kiknvNdVMXW1n1nItA-KZxrVjDQ';
const FIXED_SIGNATURE =
  'dcatxdc3-XWqzaxHFOgAjBJNcp3g7YZ8JOZtBczJ9Zktcl-5HcuM77DdV5DcR-MjL1ZId4IWm4ESSC7fKOyFow';
const FIXED_FINGERPRINT = '22319 54494 22551 11606 42826 02424';
const sequence = (length: number) => Uint8Array.from({ length }, (_, i) => i);

describe('device keys', () => {
  it('are ECDSA P-256 with a non-extractable private key by default', async () => {
    const { privateKey, publicKey } = await generateDeviceKeyPair();
    assert.equal(privateKey.extractable, false);
    assert.equal(publicKey.extractable, true);
    assert.deepEqual(privateKey.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
    const extractable = await generateDeviceKeyPair({ extractable: true });
    assert.equal(extractable.privateKey.extractable, true);
  });

  it('export the public key as base64url SPKI (91 bytes, uncompressed point)', async () => {
    const { publicKey, privateKey } = await generateDeviceKeyPair();
    const spki = base64urlToBytes(await exportDevicePublicKey(publicKey));
    assert.equal(spki.length, 91);
    await assert.rejects(exportDevicePublicKey(privateKey), TypeError);
  });

  it('sign challenges that verify, as r || s over the domain-separated message', async () => {
    const { privateKey, publicKey } = await generateDeviceKeyPair();
    const spki = await exportDevicePublicKey(publicKey);
    const challenge = randomBytes(32);
    const signature = await signDeviceChallenge(privateKey, challenge);
    assert.equal(signature.length, 64);
    assert.equal(await verifyDeviceSignature(spki, challenge, signature), true);
    // Independent check with raw WebCrypto over utf8('tresor/device-proof/v1') || challenge.
    const message = new Uint8Array([...utf8ToBytes('tresor/device-proof/v1'), ...challenge]);
    assert.equal(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        publicKey,
        signature as Uint8Array<ArrayBuffer>,
        message,
      ),
      true,
    );
    // Without the domain prefix it is not a valid signature.
    assert.equal(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        publicKey,
        signature as Uint8Array<ArrayBuffer>,
        challenge as Uint8Array<ArrayBuffer>,
      ),
      false,
    );
  });

  it('verify a known-answer proof made with node:crypto', async () => {
    assert.equal(
      await verifyDeviceSignature(FIXED_SPKI, sequence(32), base64urlToBytes(FIXED_SIGNATURE)),
      true,
    );
    assert.equal(
      await verifyDeviceSignature(FIXED_SPKI, randomBytes(32), base64urlToBytes(FIXED_SIGNATURE)),
      false,
    );
  });

  it('reject another challenge, another key and garbage without throwing', async () => {
    const { privateKey, publicKey } = await generateDeviceKeyPair();
    const other = await generateDeviceKeyPair();
    const spki = await exportDevicePublicKey(publicKey);
    const otherSpki = await exportDevicePublicKey(other.publicKey);
    const challenge = randomBytes(32);
    const signature = await signDeviceChallenge(privateKey, challenge);
    assert.equal(await verifyDeviceSignature(spki, randomBytes(32), signature), false);
    assert.equal(await verifyDeviceSignature(otherSpki, challenge, signature), false);
    const flipped = signature.slice();
    flipped[10]! ^= 1;
    const garbage: [unknown, unknown, unknown][] = [
      [spki, challenge, flipped],
      [spki, challenge, new Uint8Array(64)],
      [spki, challenge, randomBytes(64)],
      [spki, challenge, signature.slice(0, 63)],
      [spki, challenge, new Uint8Array([...signature, 0])],
      [spki, challenge, 'signature'],
      [spki, challenge.slice(0, 15), signature],
      [spki, 'challenge', signature],
      ['', challenge, signature],
      ['not base64url!', challenge, signature],
      [bytesToBase64url(randomBytes(91)), challenge, signature],
      [spki.slice(0, -4), challenge, signature],
      // An Ed25519 SPKI (RFC 8410) is not a P-256 key.
      ['MCowBQYDK2VwAyEA11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', challenge, signature],
      [undefined, undefined, undefined],
    ];
    for (const [key, msg, sig] of garbage) {
      assert.equal(await verifyDeviceSignature(key as string, msg as Uint8Array, sig as Uint8Array), false);
    }
    for (let i = 0; i < 50; i++) {
      assert.equal(await verifyDeviceSignature(spki, randomBytes(32), randomBytes(64)), false);
    }
  });

  it('refuse to sign challenges shorter than 16 or longer than 1024 bytes, or with a public key', async () => {
    const { privateKey, publicKey } = await generateDeviceKeyPair();
    await assert.rejects(signDeviceChallenge(privateKey, randomBytes(15)), RangeError);
    await assert.rejects(signDeviceChallenge(privateKey, randomBytes(1025)), RangeError);
    await signDeviceChallenge(privateKey, randomBytes(16));
    await assert.rejects(signDeviceChallenge(publicKey, randomBytes(32)), TypeError);
  });
});

describe('deviceFingerprint', () => {
  it('matches an independently computed vector', async () => {
    assert.equal(await deviceFingerprint(FIXED_SPKI), FIXED_FINGERPRINT);
  });

  it('has the documented format, is stable and differs between devices', async () => {
    const a = await exportDevicePublicKey((await generateDeviceKeyPair()).publicKey);
    const b = await exportDevicePublicKey((await generateDeviceKeyPair()).publicKey);
    const fingerprint = await deviceFingerprint(a);
    assert.match(fingerprint, /^\d{5}( \d{5}){5}$/);
    assert.equal(await deviceFingerprint(a), fingerprint);
    assert.notEqual(await deviceFingerprint(b), fingerprint);
    await assert.rejects(deviceFingerprint('garbage!'));
  });
});
