import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportDevicePublicKey, generateDeviceKeyPair, signDeviceChallenge } from '@tresor/crypto';
import { DeviceKeyCache } from './device-key-cache.js';

async function device(id: string) {
  const pair = await generateDeviceKeyPair();
  return { id, publicKey: await exportDevicePublicKey(pair.publicKey), privateKey: pair.privateKey };
}

test('verifies proofs of cached and evicted devices alike, and refuses another device’s proof', async () => {
  const cache = new DeviceKeyCache(1);
  const [a, b] = [await device('a'), await device('b')];
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const proofA = await signDeviceChallenge(a.privateKey, challenge);
  assert.equal(await cache.verify(a, challenge, proofA), true);
  assert.equal(await cache.verify(a, challenge, proofA), true);
  assert.equal(await cache.verify(b, challenge, proofA), false);
  assert.equal(await cache.verify(a, challenge, proofA), true);
});

test('a malformed registered key verifies nothing', async () => {
  const cache = new DeviceKeyCache();
  const a = await device('a');
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const proof = await signDeviceChallenge(a.privateKey, challenge);
  assert.equal(await cache.verify({ id: 'x', publicKey: 'not-a-key' }, challenge, proof), false);
});
