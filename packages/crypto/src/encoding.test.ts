import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  constantTimeEqual,
  hexToBytes,
  utf8ToBytes,
} from './encoding.js';
import { randomBytes } from './random.js';

describe('base64url', () => {
  it('matches the RFC 4648 test vectors (without padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(bytesToBase64url(utf8ToBytes(plain)), encoded);
      assert.equal(bytesToUtf8(base64urlToBytes(encoded)), plain);
    }
  });

  it('round-trips random bytes and agrees with Node’s encoder', () => {
    for (let length = 0; length < 200; length++) {
      const bytes = randomBytes(length);
      const encoded = bytesToBase64url(bytes);
      assert.equal(encoded, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(base64urlToBytes(encoded), bytes);
    }
  });

  it('rejects padding, foreign characters, bad lengths and non-canonical tails', () => {
    for (const bad of ['Zg==', 'Zm9v+', 'Z', 'Zh', 'a b']) {
      assert.throws(() => base64urlToBytes(bad), TypeError, bad);
    }
  });
});

describe('hex', () => {
  it('round-trips and rejects malformed input', () => {
    assert.equal(bytesToHex(new Uint8Array([0, 15, 255])), '000fff');
    assert.deepEqual(hexToBytes('000fFF'), new Uint8Array([0, 15, 255]));
    assert.throws(() => hexToBytes('abc'), TypeError);
    assert.throws(() => hexToBytes('zz'), TypeError);
  });
});

describe('utf8', () => {
  it('refuses malformed UTF-8 instead of replacing it', () => {
    assert.throws(() => bytesToUtf8(new Uint8Array([0xc3, 0x28])), TypeError);
    assert.equal(bytesToUtf8(utf8ToBytes('Müller – Straße')), 'Müller – Straße');
  });
});

describe('constantTimeEqual', () => {
  it('compares content and length', () => {
    assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
    assert.equal(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
    assert.equal(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0])), false);
  });
});

describe('randomBytes', () => {
  it('returns the requested length and refuses nonsense', () => {
    assert.equal(randomBytes(32).length, 32);
    assert.notDeepEqual(randomBytes(32), randomBytes(32));
    assert.throws(() => randomBytes(-1), RangeError);
    assert.throws(() => randomBytes(1.5), RangeError);
  });
});
