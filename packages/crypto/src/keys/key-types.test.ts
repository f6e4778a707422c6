import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '../encoding.js';
import {
  dataKeyFromBytes,
  ed25519PublicKeyFromBytes,
  generateDataKey,
  generatePracticeKey,
  generateUserKey,
  practiceKeyFromBytes,
  userKeyFromBytes,
  x25519PublicKeyFromBytes,
} from './key-types.js';

describe('symmetric key generation', () => {
  it('gives distinct 32-byte keys', () => {
    for (const generate of [generatePracticeKey, generateUserKey, generateDataKey]) {
      const seen = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const key = generate();
        assert.equal(key.length, 32);
        seen.add(bytesToHex(key));
      }
      assert.equal(seen.size, 100);
    }
  });
});

describe('branding constructors', () => {
  it('copy 32-byte input and refuse other lengths', () => {
    for (const fromBytes of [
      practiceKeyFromBytes,
      userKeyFromBytes,
      dataKeyFromBytes,
      x25519PublicKeyFromBytes,
      ed25519PublicKeyFromBytes,
    ]) {
      const source = new Uint8Array(32).fill(7);
      const key = fromBytes(source);
      source.fill(0);
      assert.deepEqual(key, new Uint8Array(32).fill(7));
      for (const length of [0, 31, 33, 64])
        assert.throws(() => fromBytes(new Uint8Array(length)), RangeError);
      assert.throws(() => fromBytes('x'.repeat(32) as unknown as Uint8Array), RangeError);
    }
  });
});
