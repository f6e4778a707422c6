import { sha256 } from '../digest.js';
import { utf8ToBytes } from '../encoding.js';

/**
 * Internal: the human-comparable fingerprint shared by user keys and device keys.
 *
 * digest = SHA-256(utf8(domain) || part1 || part2 …). Its first 30 bytes are cut into 6 chunks of
 * 5 bytes; each chunk is read as a big-endian unsigned 40-bit integer, reduced mod 100000 and
 * written as 5 decimal digits with leading zeros. The 6 groups are joined by single spaces:
 * `"12345 67890 …"` (35 characters, 30 digits ≈ 99.7 bits). The modulo bias is negligible:
 * 2^40 mod 10^5 = 27776, so some residues have one extra preimage out of about 1.1 × 10^7
 * (relative bias < 2^-23). Integer arithmetic stays
 * below 2^53, so browsers and Node compute the same string. This is the scheme of Signal's
 * safety numbers.
 */
export async function fingerprintDigits(domain: string, ...parts: readonly Uint8Array[]): Promise<string> {
  const prefix = utf8ToBytes(domain);
  const input = new Uint8Array(prefix.length + parts.reduce((sum, part) => sum + part.length, 0));
  input.set(prefix, 0);
  let offset = prefix.length;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }
  const digest = await sha256(input);
  const groups: string[] = [];
  for (let group = 0; group < 6; group++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + digest[group * 5 + i]!;
    groups.push((value % 100000).toString().padStart(5, '0'));
  }
  return groups.join(' ');
}
