import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_KDF } from '../testing/fixtures.js';
import { createKeySlot, openKeySlot, parseKeySlot } from './key-slot.js';
import { deriveRepositoryKeys, generateMasterKey } from './keys.js';

const label = { createdAt: '2026-01-01T00:00:00.000Z', hostname: 'praxis', username: 'mfa' };
const repoId = '0123456789abcdef0123456789abcdef';

describe('key slots', () => {
  it('wrap the master key under a passphrase and open only with it', () => {
    const master = generateMasterKey();
    const slot = createKeySlot(master, 'richtig', repoId, TEST_KDF, label);
    assert.deepEqual(openKeySlot(slot, 'richtig', repoId), master);
    assert.equal(openKeySlot(slot, 'falsch', repoId), undefined);
    assert.equal(openKeySlot(slot, 'richtig', 'fedcba9876543210fedcba9876543210'), undefined);
  });

  it('normalise the passphrase (NFC): ü typed composed or decomposed is the same', () => {
    const master = generateMasterKey();
    const slot = createKeySlot(master, 'Gr\u00fc\u00dfe', repoId, TEST_KDF, label);
    assert.deepEqual(openKeySlot(slot, 'Gru\u0308\u00dfe', repoId), master);
  });

  it('are JSON with the Argon2id parameters, salt and wrapped key, and no plaintext key', () => {
    const master = generateMasterKey();
    const slot = createKeySlot(master, 'pw', repoId, TEST_KDF, label);
    const json = JSON.stringify(slot);
    assert.equal(slot.v, 1);
    assert.equal(slot.kdf.alg, 'argon2id');
    assert.equal(slot.kdf.memoryKiB, TEST_KDF.memoryKiB);
    assert.ok(!json.includes(Buffer.from(master).toString('base64url')));
    assert.ok(!json.includes(Buffer.from(master).toString('hex')));
    assert.deepEqual(parseKeySlot(JSON.parse(json)), slot);
  });

  it('fail to open when the parameters were altered', () => {
    const master = generateMasterKey();
    const slot = createKeySlot(master, 'pw', repoId, TEST_KDF, label);
    const altered = { ...slot, kdf: { ...slot.kdf, iterations: slot.kdf.iterations + 1 } };
    assert.equal(openKeySlot(altered, 'pw', repoId), undefined);
  });

  it('refuse unknown or newer slot formats and out-of-range parameters', () => {
    const slot = createKeySlot(generateMasterKey(), 'pw', repoId, TEST_KDF, label);
    assert.match((parseKeySlot({ ...slot, v: 2 }) as { invalid: string }).invalid, /newer/);
    assert.ok('invalid' in parseKeySlot({ ...slot, alg: 'A128GCM' }));
    assert.ok('invalid' in parseKeySlot({ ...slot, kdf: { ...slot.kdf, memoryKiB: 1 } }));
    assert.ok('invalid' in parseKeySlot({ ...slot, ct: 'AAAA' }));
    assert.ok('invalid' in parseKeySlot('nope'));
  });

  it('derive independent keys per repository from one master key', () => {
    const master = generateMasterKey();
    const a = deriveRepositoryKeys(master, repoId);
    const b = deriveRepositoryKeys(master, 'fedcba9876543210fedcba9876543210');
    assert.notDeepEqual(a.encryption, a.id);
    assert.notDeepEqual(a.encryption, b.encryption);
    assert.notDeepEqual(a.gear, b.gear);
    assert.deepEqual(deriveRepositoryKeys(master, repoId), a);
  });
});
