import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '../encoding.js';
import { hkdfSha256 } from './hkdf.js';

describe('hkdfSha256 (internal)', () => {
  it('matches RFC 5869 test case 1', async () => {
    const okm = await hkdfSha256(
      hexToBytes('0b'.repeat(22)),
      hexToBytes('000102030405060708090a0b0c'),
      hexToBytes('f0f1f2f3f4f5f6f7f8f9'),
      42,
    );
    assert.equal(
      bytesToHex(okm),
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('matches RFC 5869 test case 3 (empty salt and info)', async () => {
    const okm = await hkdfSha256(hexToBytes('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42);
    assert.equal(
      bytesToHex(okm),
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('refuses output lengths HKDF cannot produce', async () => {
    for (const length of [0, -1, 1.5, 255 * 32 + 1]) {
      await assert.rejects(
        hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), length),
        RangeError,
      );
    }
  });
});
