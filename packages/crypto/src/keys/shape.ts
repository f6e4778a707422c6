import { base64urlToBytes } from '../encoding.js';

/**
 * Internal helpers for strict shape checks of untrusted, JSON-shaped input (envelopes, sealed
 * boxes, grants, stored device keys).
 */

/**
 * Returns a snapshot of `value`'s fields when it is a non-array object whose own properties are
 * exactly `keys`, all plain data properties (no getters, no symbols, nothing extra); otherwise
 * `undefined`. Reading each value once means later checks cannot be fooled by changing values.
 */
export function readExactRecord<K extends string>(
  value: unknown,
  keys: readonly K[],
): Record<K, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let own: (string | symbol)[];
  try {
    own = Reflect.ownKeys(value);
  } catch {
    return undefined;
  }
  if (own.length !== keys.length) return undefined;
  const out = Object.create(null) as Record<K, unknown>;
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined || !('value' in descriptor) || descriptor.enumerable !== true) {
      return undefined;
    }
    out[key] = descriptor.value as unknown;
  }
  return out;
}

/** Strict base64url decoding of an unknown value; `undefined` if it is not a canonical base64url string. */
export function decodeBase64urlField(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return base64urlToBytes(value);
  } catch {
    return undefined;
  }
}

/** A string of 1..maxLength UTF-16 code units. */
export function isBoundedString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= maxLength;
}
