import { randomBytes } from '../random.js';
import type { RecoveryCode } from './key-types.js';

/**
 * Recovery codes: 160 random bits written as 32 Crockford base32 symbols
 * (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`, 5 bits each, most significant bit first, no padding
 * since 32 × 5 = 160), shown as 8 groups of 4 joined by `-`:
 * `K7Q2-9XMA-…`. No check symbol: a mistyped code simply fails to unwrap.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 20;
const CODE_SYMBOLS = 32;
const GROUP_SIZE = 4;
/** Generous bound on raw input (32 symbols plus any spacing) before parsing gives up. */
const MAX_INPUT_LENGTH = 256;

const SYMBOL_VALUES: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (let i = 0; i < ALPHABET.length; i++) {
    const symbol = ALPHABET.charAt(i);
    map.set(symbol, i);
    map.set(symbol.toLowerCase(), i);
  }
  // Crockford's aliases for symbols people confuse when reading aloud or by eye.
  for (const alias of ['I', 'i', 'L', 'l']) map.set(alias, 1);
  for (const alias of ['O', 'o']) map.set(alias, 0);
  return map;
})();

function isSeparator(char: string): boolean {
  return char === '-' || /^\s$/u.test(char);
}

/** The 5-bit values of a code, or undefined if the input is not exactly 32 valid symbols. */
function symbolValues(input: string): number[] | undefined {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return undefined;
  const values: number[] = [];
  for (const char of input) {
    if (isSeparator(char)) continue;
    const value = SYMBOL_VALUES.get(char);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values.length === CODE_SYMBOLS ? values : undefined;
}

function format(values: readonly number[]): RecoveryCode {
  const symbols = values.map((value) => ALPHABET.charAt(value)).join('');
  const groups: string[] = [];
  for (let i = 0; i < symbols.length; i += GROUP_SIZE) groups.push(symbols.slice(i, i + GROUP_SIZE));
  return groups.join('-') as RecoveryCode;
}

function encode(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return values;
}

function decode(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(CODE_BYTES);
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const value of values) {
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** A fresh recovery code carrying 160 bits from the platform CSPRNG, in canonical grouped form. */
export function generateRecoveryCode(): RecoveryCode {
  return format(encode(randomBytes(CODE_BYTES)));
}

/**
 * Parses what a user typed. Tolerant: case-insensitive, spaces/whitespace and dashes anywhere are
 * ignored, Crockford aliases I/L → 1 and O → 0 are accepted. Returns the canonical grouped form,
 * or `undefined` if the input does not hold exactly 32 valid symbols (U and punctuation other
 * than `-` are invalid).
 */
export function parseRecoveryCode(input: string): RecoveryCode | undefined {
  const values = symbolValues(input);
  return values === undefined ? undefined : format(values);
}

/**
 * The 20 secret bytes of a recovery code (input keying material for `deriveRecoveryWrappingKey`).
 * @throws TypeError if `code` is not a valid recovery code.
 */
export function recoveryCodeBytes(code: RecoveryCode): Uint8Array {
  const values = symbolValues(code);
  if (values === undefined) throw new TypeError('invalid recovery code');
  return decode(values);
}
