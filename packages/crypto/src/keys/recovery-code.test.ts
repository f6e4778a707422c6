import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '../encoding.js';
import type { RecoveryCode } from './key-types.js';
import { generateRecoveryCode, parseRecoveryCode, recoveryCodeBytes } from './recovery-code.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$/;
// Bytes 01..14 (hex), encoded independently with BigInt arithmetic.
const KNOWN_CODE = '0410-6105-0R3G-G28A-1C60-T3GF-208H-44RM';
const KNOWN_BYTES = '0102030405060708090a0b0c0d0e0f1011121314';

describe('generateRecoveryCode', () => {
  it('gives 32 Crockford symbols in 8 groups of 4 that parse to themselves', () => {
    for (let i = 0; i < 500; i++) {
      const code = generateRecoveryCode();
      assert.match(code, CANONICAL);
      assert.equal(code.replaceAll('-', '').length, 32);
      assert.equal(parseRecoveryCode(code), code);
      assert.equal(recoveryCodeBytes(code).length, 20);
    }
  });

  it('carries 160 random bits: distinct codes, every symbol in the first and the last position', () => {
    const codes = Array.from({ length: 2000 }, generateRecoveryCode);
    assert.equal(new Set(codes).size, codes.length);
    const first = new Set(codes.map((code) => code.charAt(0)));
    const last = new Set(codes.map((code) => code.charAt(code.length - 1)));
    assert.equal(first.size, 32);
    assert.equal(last.size, 32);
    // Every byte of the decoded secret takes many values too (no stuck bits).
    for (let byte = 0; byte < 20; byte++) {
      const values = new Set(codes.map((code) => recoveryCodeBytes(code)[byte]));
      assert.ok(values.size > 200, `byte ${byte} took only ${values.size} values`);
    }
  });
});

describe('parseRecoveryCode', () => {
  it('decodes a known vector (big-endian, 5 bits per symbol)', () => {
    const code = parseRecoveryCode(KNOWN_CODE);
    assert.equal(code, KNOWN_CODE);
    assert.equal(bytesToHex(recoveryCodeBytes(code)), KNOWN_BYTES);
    assert.equal(parseRecoveryCode('0'.repeat(32)), '0000-0000-0000-0000-0000-0000-0000-0000');
    assert.equal(bytesToHex(recoveryCodeBytes(parseRecoveryCode('Z'.repeat(32))!)), 'ff'.repeat(20));
  });

  it('is tolerant of case, spacing, dashes and Crockford aliases', () => {
    const variants = [
      KNOWN_CODE.toLowerCase(),
      KNOWN_CODE.replaceAll('-', ''),
      KNOWN_CODE.replaceAll('-', ' '),
      `  ${KNOWN_CODE.replaceAll('-', '  ')}\n`,
      KNOWN_CODE.replaceAll('-', '\t'),
      KNOWN_CODE.split('').join(' '),
      KNOWN_CODE.replaceAll('-', '').replace(/(.{2})/g, '$1-'),
      KNOWN_CODE.replaceAll('0', 'O'),
      KNOWN_CODE.replaceAll('0', 'o'),
      KNOWN_CODE.replaceAll('1', 'I'),
      KNOWN_CODE.replaceAll('1', 'i'),
      KNOWN_CODE.replaceAll('1', 'L'),
      KNOWN_CODE.replaceAll('1', 'l'),
    ];
    for (const variant of variants) assert.equal(parseRecoveryCode(variant), KNOWN_CODE, variant);
  });

  it('refuses wrong lengths and characters', () => {
    const compact = KNOWN_CODE.replaceAll('-', '');
    const bad = [
      '',
      '----',
      compact.slice(1),
      `${compact}0`,
      compact.slice(0, 16),
      compact.replace('R', 'U'),
      compact.replace('R', 'u'),
      compact.replace('R', '!'),
      compact.replace('R', '_'),
      compact.replace('R', '.'),
      compact.replace('R', 'ß'),
      compact.replace('R', 'Ｒ'),
      compact.replace('R', 'é'),
      `${compact} `.repeat(10),
      ' '.repeat(300) + compact,
    ];
    for (const input of bad) assert.equal(parseRecoveryCode(input), undefined, input);
    assert.equal(parseRecoveryCode(42 as unknown as string), undefined);
  });

  it('recoveryCodeBytes refuses a value that is not a recovery code', () => {
    assert.throws(() => recoveryCodeBytes('not a code' as RecoveryCode), TypeError);
  });

  it('round-trips every symbol at every position', () => {
    for (let position = 0; position < 32; position++) {
      for (const symbol of ALPHABET) {
        const compact = '0'.repeat(position) + symbol + '0'.repeat(31 - position);
        const code = parseRecoveryCode(compact)!;
        assert.equal(code.replaceAll('-', ''), compact);
      }
    }
  });
});
