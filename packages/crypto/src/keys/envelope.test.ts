import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64urlToBytes, bytesToBase64url, bytesToUtf8, utf8ToBytes } from '../encoding.js';
import { randomBytes } from '../random.js';
import {
  DecryptionError,
  isEnvelope,
  openEnvelope,
  sealEnvelope,
  unwrapKey,
  wrapKey,
  type Envelope,
  type EnvelopeContext,
} from './envelope.js';
import { generateDataKey, generatePracticeKey, generateUserKey, type PracticeKey } from './key-types.js';

const context: EnvelopeContext = { practiceId: 'practice-1', owner: 'record-42', purpose: 'dk' };
const sequence = (length: number, start = 0) => Uint8Array.from({ length }, (_, i) => (start + i) & 255);

function isDecryptionError(error: unknown): boolean {
  return error instanceof DecryptionError && error.message === 'decryption failed';
}

function flipBit(text: string, bit: number): string {
  const bytes = base64urlToBytes(text);
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  return bytesToBase64url(bytes);
}

describe('sealEnvelope / openEnvelope', () => {
  it('round-trips plaintexts of many sizes and produces a valid envelope', async () => {
    const key = generatePracticeKey();
    for (const length of [0, 1, 15, 16, 17, 1000, 65536]) {
      const plaintext = randomBytes(Math.min(length, 65536));
      const envelope = await sealEnvelope(key, 'pk.v1', plaintext, context);
      assert.equal(isEnvelope(envelope), true);
      assert.deepEqual(Object.keys(envelope).sort(), ['alg', 'ct', 'kid', 'nonce', 'v']);
      assert.equal(envelope.v, 1);
      assert.equal(envelope.alg, 'A256GCM');
      assert.equal(base64urlToBytes(envelope.ct).length, length + 16);
      const parsed: unknown = JSON.parse(JSON.stringify(envelope));
      assert.ok(isEnvelope(parsed));
      assert.deepEqual(await openEnvelope(key, parsed, context), plaintext);
    }
  });

  it('uses a fresh nonce every time', async () => {
    const key = generateDataKey();
    const nonces = new Set<string>();
    for (let i = 0; i < 200; i++)
      nonces.add((await sealEnvelope(key, 'k', new Uint8Array(1), context)).nonce);
    assert.equal(nonces.size, 200);
  });

  it('opens a known-answer envelope built independently (node:crypto AES-256-GCM, spec AAD)', async () => {
    // key 00..1f, nonce a0..ab, AAD = utf8(JSON.stringify(['tresor/envelope/v1',1,'A256GCM','pk.v1',
    // 'practice-1','record-42','dk'])); computed once with node:crypto createCipheriv.
    const envelope: Envelope = {
      v: 1,
      alg: 'A256GCM',
      kid: 'pk.v1',
      nonce: 'oKGio6Slpqeoqaqr',
      ct: 'pH0aWCuvOJ8XC-amYRwDehzAMHcvMdYCYOYAdcoY4dF80nsS',
    };
    const plaintext = await openEnvelope(sequence(32) as PracticeKey, envelope, context);
    assert.equal(bytesToUtf8(plaintext), 'Befund: unauffällig');
  });

  it('fails with DecryptionError when any envelope field is tampered with', async () => {
    const key = generatePracticeKey();
    const envelope = await sealEnvelope(key, 'pk.v1', utf8ToBytes('secret'), context);
    const tampered: unknown[] = [
      { ...envelope, kid: 'pk.v2' },
      { ...envelope, nonce: flipBit(envelope.nonce, 0) },
      { ...envelope, nonce: bytesToBase64url(randomBytes(12)) },
      { ...envelope, ct: flipBit(envelope.ct, 0) },
      { ...envelope, ct: flipBit(envelope.ct, base64urlToBytes(envelope.ct).length * 8 - 1) },
      { ...envelope, ct: envelope.ct.slice(0, -4) },
      { ...envelope, v: 2 },
      { ...envelope, alg: 'A128GCM' },
      { ...envelope, extra: 1 },
    ];
    for (const candidate of tampered) {
      await assert.rejects(openEnvelope(key, candidate as Envelope, context), isDecryptionError);
    }
  });

  it('fails with DecryptionError on every single-bit flip of the ciphertext (random loop)', async () => {
    const key = generateUserKey();
    for (let round = 0; round < 50; round++) {
      const envelope = await sealEnvelope(key, 'uk', randomBytes(round), context);
      const bits = base64urlToBytes(envelope.ct).length * 8;
      const bit = Math.floor(Math.random() * bits);
      await assert.rejects(
        openEnvelope(key, { ...envelope, ct: flipBit(envelope.ct, bit) }, context),
        isDecryptionError,
      );
    }
  });

  it('fails with DecryptionError under any other context field or key', async () => {
    const key = generatePracticeKey();
    const envelope = await sealEnvelope(key, 'pk.v1', utf8ToBytes('secret'), context);
    const otherContexts: EnvelopeContext[] = [
      { ...context, practiceId: 'practice-2' },
      { ...context, owner: 'record-43' },
      { ...context, purpose: 'uk.by-password' },
      // Fields are delimited: shifting text between them must not give the same AAD.
      { practiceId: 'practice-1record-42', owner: 'd', purpose: 'k' },
    ];
    for (const other of otherContexts) {
      await assert.rejects(openEnvelope(key, envelope, other), isDecryptionError);
    }
    await assert.rejects(openEnvelope(generatePracticeKey(), envelope, context), isDecryptionError);
  });

  it('fails when a ciphertext is moved into another slot', async () => {
    const key = generatePracticeKey();
    const slotA: EnvelopeContext = { practiceId: 'p', owner: 'user-a', purpose: 'uk.by-password' };
    const slotB: EnvelopeContext = { practiceId: 'p', owner: 'user-b', purpose: 'uk.by-password' };
    const a = await sealEnvelope(key, 'wk', utf8ToBytes('a'), slotA);
    const b = await sealEnvelope(key, 'wk', utf8ToBytes('b'), slotB);
    // A whole envelope copied into B's row, or just A's nonce+ct spliced into B's envelope.
    await assert.rejects(openEnvelope(key, a, slotB), isDecryptionError);
    await assert.rejects(openEnvelope(key, { ...b, nonce: a.nonce, ct: a.ct }, slotB), isDecryptionError);
    assert.equal(bytesToUtf8(await openEnvelope(key, b, slotB)), 'b');
  });

  it('refuses bad kids, contexts and keys as programming errors', async () => {
    const key = generatePracticeKey();
    await assert.rejects(sealEnvelope(key, '', new Uint8Array(1), context), RangeError);
    await assert.rejects(sealEnvelope(key, 'k'.repeat(129), new Uint8Array(1), context), RangeError);
    await sealEnvelope(key, 'k'.repeat(128), new Uint8Array(1), context);
    await assert.rejects(sealEnvelope(key, 'k', new Uint8Array(1), { ...context, owner: '' }), TypeError);
    await assert.rejects(
      sealEnvelope(key, 'k', new Uint8Array(1), {
        ...context,
        purpose: undefined,
      } as unknown as EnvelopeContext),
      TypeError,
    );
    await assert.rejects(
      sealEnvelope(new Uint8Array(16) as PracticeKey, 'k', new Uint8Array(1), context),
      RangeError,
    );
  });
});

describe('isEnvelope', () => {
  it('accepts exactly the envelope shape', async () => {
    const good = await sealEnvelope(generatePracticeKey(), 'pk.v1', new Uint8Array(0), context);
    assert.equal(isEnvelope(good), true);
    const twelve = bytesToBase64url(new Uint8Array(12));
    const getter = { ...good };
    Object.defineProperty(getter, 'kid', { get: () => 'pk.v1', enumerable: true });
    const bad: unknown[] = [
      null,
      undefined,
      'envelope',
      42,
      [good],
      {},
      { ...good, extra: true },
      { v: good.v, alg: good.alg, kid: good.kid, nonce: good.nonce },
      { ...good, v: '1' },
      { ...good, v: 2 },
      { ...good, alg: 'a256gcm' },
      { ...good, kid: '' },
      { ...good, kid: 'k'.repeat(129) },
      { ...good, kid: 7 },
      { ...good, nonce: bytesToBase64url(new Uint8Array(11)) },
      { ...good, nonce: bytesToBase64url(new Uint8Array(13)) },
      { ...good, nonce: `${twelve}=` },
      { ...good, ct: bytesToBase64url(new Uint8Array(15)) },
      { ...good, ct: `${good.ct}!` },
      { ...good, ct: 1 },
      getter,
    ];
    for (const value of bad) assert.equal(isEnvelope(value), false, JSON.stringify(value));
    assert.equal(isEnvelope({ ...good, ct: bytesToBase64url(new Uint8Array(16)) }), true);
  });
});

describe('wrapKey / unwrapKey', () => {
  it('round-trips a 32-byte key', async () => {
    const practiceKey = generatePracticeKey();
    const dataKey = generateDataKey();
    const envelope = await wrapKey(practiceKey, 'pk.v1', dataKey, context);
    assert.deepEqual(await unwrapKey(practiceKey, envelope, context), dataKey);
  });

  it('refuses to wrap anything but 32 bytes and to unwrap a non-key', async () => {
    const key = generatePracticeKey();
    await assert.rejects(wrapKey(key, 'k', new Uint8Array(31), context), RangeError);
    await assert.rejects(wrapKey(key, 'k', new Uint8Array(33), context), RangeError);
    const notAKey = await sealEnvelope(key, 'k', new Uint8Array(31), context);
    await assert.rejects(unwrapKey(key, notAKey, context), isDecryptionError);
    const envelope = await wrapKey(key, 'k', generateDataKey(), context);
    await assert.rejects(unwrapKey(key, envelope, { ...context, owner: 'x' }), isDecryptionError);
  });
});
