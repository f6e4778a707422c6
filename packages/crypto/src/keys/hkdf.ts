/**
 * HAZMAT, internal to @tresor/crypto (not exported from the package index): HKDF-SHA-256
 * (RFC 5869) through WebCrypto. Use the purpose-specific functions in `derive.ts` instead.
 */
export async function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError('hkdfSha256: length must be an integer between 1 and 8160');
  }
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', ikm as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: salt as Uint8Array<ArrayBuffer>,
      info: info as Uint8Array<ArrayBuffer>,
    },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}
