import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '../encoding.js';
import { deriveRecoveryWrappingKey, deriveSubkey, deriveUserKeyWrappingKey } from './derive.js';
import { generatePracticeKey, type PracticeKey, type RecoveryCode } from './key-types.js';
import { generateRecoveryCode, parseRecoveryCode } from './recovery-code.js';

const sequence = (length: number, start = 0) => Uint8Array.from({ length }, (_, i) => (start + i) & 255);

// Expected values computed independently with node:crypto hkdfSync('sha256', ikm, salt, info, 32).
describe('deriveUserKeyWrappingKey', () => {
  it('is HKDF-SHA-256(export key, salt "tresor/uk-wrap/v1", info userId)', async () => {
    const key = await deriveUserKeyWrappingKey(sequence(64), 'user-1');
    assert.equal(bytesToHex(key), 'f93c0cb9b818801a199de928c4d5dc19cbff5992457f5338ed9dbcb43b36531f');
  });

  it('separates users and refuses weak input', async () => {
    const exportKey = sequence(64);
    const a = await deriveUserKeyWrappingKey(exportKey, 'user-1');
    const b = await deriveUserKeyWrappingKey(exportKey, 'user-2');
    assert.notDeepEqual(a, b);
    await assert.rejects(deriveUserKeyWrappingKey(new Uint8Array(31), 'user-1'), RangeError);
    await assert.rejects(deriveUserKeyWrappingKey(exportKey, ''), TypeError);
  });
});

describe('deriveRecoveryWrappingKey', () => {
  it('is HKDF-SHA-256(code bytes, salt "tresor/recovery-wrap/v1", info userId)', async () => {
    // Code of the bytes 01..14.
    const code = parseRecoveryCode('0410-6105-0R3G-G28A-1C60-T3GF-208H-44RM')!;
    const key = await deriveRecoveryWrappingKey(code, 'user-1');
    assert.equal(bytesToHex(key), '1e714efdc54fbe0ec25d771a3b6447239ce718cef370c5bb3c8037ee13590d79');
  });

  it('gives the same key however the code was typed, and another for another user or code', async () => {
    const code = generateRecoveryCode();
    const typed = parseRecoveryCode(code.toLowerCase().replaceAll('-', ' '))!;
    const key = await deriveRecoveryWrappingKey(code, 'user-1');
    assert.deepEqual(await deriveRecoveryWrappingKey(typed, 'user-1'), key);
    assert.notDeepEqual(await deriveRecoveryWrappingKey(code, 'user-2'), key);
    assert.notDeepEqual(await deriveRecoveryWrappingKey(generateRecoveryCode(), 'user-1'), key);
    await assert.rejects(deriveRecoveryWrappingKey('nope' as RecoveryCode, 'user-1'), TypeError);
  });
});

describe('deriveSubkey', () => {
  it('is HKDF-SHA-256(practice key, salt "tresor/subkey/v1", info label)', async () => {
    const key = await deriveSubkey(sequence(32) as PracticeKey, 'blind-index/patient.lastName');
    assert.equal(bytesToHex(key), '04b4a9a74fc06aca035d1abe016dea9b664c8770e77625905a38a73aea741dca');
  });

  it('gives independent keys per label and refuses bad input', async () => {
    const practiceKey = generatePracticeKey();
    const a = await deriveSubkey(practiceKey, 'a');
    assert.equal(a.length, 32);
    assert.notDeepEqual(await deriveSubkey(practiceKey, 'b'), a);
    assert.deepEqual(await deriveSubkey(practiceKey, 'a'), a);
    await assert.rejects(deriveSubkey(practiceKey, ''), TypeError);
    await assert.rejects(deriveSubkey(new Uint8Array(16) as PracticeKey, 'a'), RangeError);
  });
});
