import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { TotpVerifier } from './totp.js';

describe('TOTP', () => {
  const verifier = new TotpVerifier(randomBytes(32));

  it('matches the RFC 6238 SHA-1 test vector (59 s → 94287082, 6-digit: 287082)', () => {
    const secret = new Secret({ buffer: new TextEncoder().encode('12345678901234567890').buffer }).base32;
    assert.equal(verifier.matchStep(secret, '287082', 59_000), 1);
    assert.equal(verifier.matchStep(secret, '287083', 59_000), undefined);
  });

  it('accepts one step of clock drift and no more', () => {
    const { secret } = verifier.newEnrolment('anna');
    const now = 1_800_000_000_000;
    const code = (offset: number) =>
      TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now + offset });
    assert.notEqual(verifier.matchStep(secret, code(-30_000), now), undefined);
    assert.notEqual(verifier.matchStep(secret, code(30_000), now), undefined);
    assert.equal(verifier.matchStep(secret, code(90_000), now), undefined);
    assert.equal(verifier.matchStep(secret, 'abcdef', now), undefined);
  });

  it('seals secrets at rest and refuses tampered seals', () => {
    const { secret, uri } = verifier.newEnrolment('anna');
    assert.match(uri, /^otpauth:\/\/totp\/Tresor:anna\?.*secret=/);
    const sealed = verifier.seal(secret);
    assert.ok(!sealed.includes(secret));
    assert.equal(verifier.unseal(sealed), secret);
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    assert.throws(() => verifier.unseal(tampered));
  });
});
