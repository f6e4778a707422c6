import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from '../random.js';
import {
  exportDeviceKeyPairForStorage,
  importDeviceKeyPairFromStorage,
  isStoredDeviceKeyPair,
  type StoredDeviceKeyPair,
} from './device-key-storage.js';
import {
  exportDevicePublicKey,
  generateDeviceKeyPair,
  signDeviceChallenge,
  verifyDeviceSignature,
} from './device-key.js';

describe('device key storage', () => {
  it('round-trips an extractable key pair through JSON', async () => {
    const keyPair = await generateDeviceKeyPair({ extractable: true });
    const stored = await exportDeviceKeyPairForStorage(keyPair);
    assert.equal(isStoredDeviceKeyPair(stored), true);
    assert.deepEqual(Object.keys(stored.jwk).sort(), ['crv', 'd', 'kty', 'x', 'y']);
    const restored = await importDeviceKeyPairFromStorage(JSON.parse(JSON.stringify(stored)));
    assert.equal(restored.privateKey.extractable, false);
    const spki = await exportDevicePublicKey(keyPair.publicKey);
    assert.equal(await exportDevicePublicKey(restored.publicKey), spki);
    const challenge = randomBytes(32);
    assert.equal(
      await verifyDeviceSignature(spki, challenge, await signDeviceChallenge(restored.privateKey, challenge)),
      true,
    );
    const again = await importDeviceKeyPairFromStorage(stored, { extractable: true });
    assert.deepEqual(await exportDeviceKeyPairForStorage(again), stored);
  });

  it('refuses to export a non-extractable key pair', async () => {
    await assert.rejects(exportDeviceKeyPairForStorage(await generateDeviceKeyPair()), TypeError);
  });

  it('refuses malformed or inconsistent stored keys', async () => {
    const stored = await exportDeviceKeyPairForStorage(await generateDeviceKeyPair({ extractable: true }));
    const other = await exportDeviceKeyPairForStorage(await generateDeviceKeyPair({ extractable: true }));
    const bad: unknown[] = [
      null,
      'key',
      { ...stored, v: 2 },
      { ...stored, alg: 'ES384' },
      { ...stored, extra: 1 },
      { ...stored, jwk: { ...stored.jwk, crv: 'P-384' } },
      { ...stored, jwk: { ...stored.jwk, kty: 'OKP' } },
      { ...stored, jwk: { ...stored.jwk, d: undefined } },
      { ...stored, jwk: { ...stored.jwk, d: stored.jwk.d.slice(0, -2) } },
      { ...stored, jwk: { ...stored.jwk, key_ops: ['sign'] } },
    ];
    for (const value of bad) {
      assert.equal(isStoredDeviceKeyPair(value), false);
      await assert.rejects(importDeviceKeyPairFromStorage(value), TypeError);
    }
    // Well-formed but inconsistent: another key's private scalar, or a point not on the curve.
    const mismatched: StoredDeviceKeyPair = { ...stored, jwk: { ...stored.jwk, d: other.jwk.d } };
    const offCurve: StoredDeviceKeyPair = { ...stored, jwk: { ...stored.jwk, y: other.jwk.y } };
    for (const value of [mismatched, offCurve]) {
      assert.equal(isStoredDeviceKeyPair(value), true);
      await assert.rejects(importDeviceKeyPairFromStorage(value), TypeError);
    }
  });
});
