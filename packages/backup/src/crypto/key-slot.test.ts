import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TEST_KDF } from '../testing/fixtures.js';
import { type KeySlotFile, createKeySlot, openKeySlot, parseKeySlot } from './key-slot.js';
import { deriveRepositoryKeys, generateMasterKey, masterKeyFromBytes } from './keys.js';

const label = { createdAt: '2026-01-01T00:00:00.000Z', hostname: 'praxis', username: 'mfa' };
const repoId = '0123456789abcdef0123456789abcdef';

/** Written by the first implementation (pure-JS Argon2id, @noble/hashes): old slots must keep opening. */
const SLOT_OF_VERSION_1 = {
  v: 1,
  alg: 'A256GCM',
  kdf: { alg: 'argon2id', memoryKiB: 8192, iterations: 1, parallelism: 1, salt: 'fsOoQbLfKjvox22ohnmXYw' },
  ct: 'aOmzkoxkhmqgU6xma3Hl0pVjnROXmgfs4JOxK4EsqsNraXUmUw9uh-KqSaimfHAmRIS2IDwUmbtAb9-d',
  createdAt: '2026-01-01T00:00:00.000Z',
  hostname: 'praxis',
  username: 'mfa',
} as const satisfies KeySlotFile;

describe('key slots', () => {
  it('open slots written by earlier versions (the same Argon2id, another implementation)', async () => {
    const master = await openKeySlot(SLOT_OF_VERSION_1, 'Grüße aus der Praxis', repoId);
    assert.deepEqual(master, masterKeyFromBytes(Buffer.alloc(32, 0x2a)));
    assert.equal(await openKeySlot(SLOT_OF_VERSION_1, 'Grüsse aus der Praxis', repoId), undefined);
  });

  it('wrap the master key under a passphrase and open only with it', async () => {
    const master = generateMasterKey();
    const slot = await createKeySlot(master, 'richtig', repoId, TEST_KDF, label);
    assert.deepEqual(await openKeySlot(slot, 'richtig', repoId), master);
    assert.equal(await openKeySlot(slot, 'falsch', repoId), undefined);
    assert.equal(await openKeySlot(slot, 'richtig', 'fedcba9876543210fedcba9876543210'), undefined);
  });

  it('normalise the passphrase (NFC): ü typed composed or decomposed is the same', async () => {
    const master = generateMasterKey();
    const slot = await createKeySlot(master, 'Gr\u00fc\u00dfe', repoId, TEST_KDF, label);
    assert.deepEqual(await openKeySlot(slot, 'Gru\u0308\u00dfe', repoId), master);
  });

  it('are JSON with the Argon2id parameters, salt and wrapped key, and no plaintext key', async () => {
    const master = generateMasterKey();
    const slot = await createKeySlot(master, 'pw', repoId, TEST_KDF, label);
    const json = JSON.stringify(slot);
    assert.equal(slot.v, 1);
    assert.equal(slot.kdf.alg, 'argon2id');
    assert.equal(slot.kdf.memoryKiB, TEST_KDF.memoryKiB);
    assert.ok(!json.includes(Buffer.from(master).toString('base64url')));
    assert.ok(!json.includes(Buffer.from(master).toString('hex')));
    assert.deepEqual(parseKeySlot(JSON.parse(json)), slot);
  });

  it('fail to open when the parameters were altered', async () => {
    const master = generateMasterKey();
    const slot = await createKeySlot(master, 'pw', repoId, TEST_KDF, label);
    const altered = { ...slot, kdf: { ...slot.kdf, iterations: slot.kdf.iterations + 1 } };
    assert.equal(await openKeySlot(altered, 'pw', repoId), undefined);
  });

  it('refuse unknown or newer slot formats and out-of-range parameters', async () => {
    const slot = await createKeySlot(generateMasterKey(), 'pw', repoId, TEST_KDF, label);
    assert.match((parseKeySlot({ ...slot, v: 2 }) as { invalid: string }).invalid, /newer/);
    assert.ok('invalid' in parseKeySlot({ ...slot, alg: 'A128GCM' }));
    assert.ok('invalid' in parseKeySlot({ ...slot, kdf: { ...slot.kdf, memoryKiB: 1 } }));
    assert.ok('invalid' in parseKeySlot({ ...slot, ct: 'AAAA' }));
    assert.ok('invalid' in parseKeySlot('nope'));
  });

  it('derive independent keys per repository from one master key', async () => {
    const master = generateMasterKey();
    const a = deriveRepositoryKeys(master, repoId);
    const b = deriveRepositoryKeys(master, 'fedcba9876543210fedcba9876543210');
    assert.notDeepEqual(a.encryption, a.id);
    assert.notDeepEqual(a.encryption, b.encryption);
    assert.notDeepEqual(a.gear, b.gear);
    assert.deepEqual(deriveRepositoryKeys(master, repoId), a);
  });
});
