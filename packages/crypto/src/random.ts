/** Cryptographically secure randomness from the platform's WebCrypto (browser and Node ≥ 20). */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > 65536) {
    throw new RangeError('randomBytes: length must be an integer between 0 and 65536');
  }
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}
