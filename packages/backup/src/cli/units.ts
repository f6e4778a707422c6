import { InvalidArgumentError } from 'commander';
import { MIN_TOTAL_BYTES } from '../retention/rules.js';

/** Plain decimal notation only: no hex (`0x10`), exponent (`1e3`), sign or `Infinity`. */
const DECIMAL = /^\s*(\d+(?:\.\d+)?)\s*$/;
const INTEGER = /^\s*(\d+)\s*$/;

/** A count ≥ 1 in plain decimal digits: `1`, `14`. A count of 0 would make a rule delete everything. */
export function count(value: string): number {
  const match = INTEGER.exec(value);
  const n = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

/** Days, fractions allowed: `30`, `0.5`. `positive`: more than 0 (an age limit of 0 forgets everything). */
function dayCount(value: string, positive: boolean): number {
  const match = DECIMAL.exec(value);
  const n = match ? Number(match[1]) : NaN;
  if (!Number.isFinite(n) || (positive ? n <= 0 : n < 0))
    throw new InvalidArgumentError(`expected a number of days ${positive ? '> 0' : '≥ 0'}`);
  return n;
}

/** An age limit in days > 0 (`--max-age`): `30`, `0.5`. */
export function positiveDays(value: string): number {
  return dayCount(value, true);
}

/** Days ≥ 0, fractions allowed: `30`, `0.5`. */
export function days(value: string): number {
  return dayCount(value, false);
}

/** A percentage `0`–`100` (fractions allowed, an optional `%`), as a fraction 0–1. */
export function percent(value: string): number {
  const match = DECIMAL.exec(value.trim().replace(/%$/, ''));
  const n = match ? Number(match[1]) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return n / 100;
}

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Bytes with an optional binary unit: `500M`, `2G`, `1.5T`, `1048576` (K/M/G/T = KiB/MiB/GiB/TiB). */
export function byteSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
  if (!match) throw new InvalidArgumentError('expected a size such as 500M, 2G or 1T');
  const bytes = Math.floor(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError('size too large');
  return bytes;
}

/** A size limit (`--max-size`): a {@link byteSize} of at least 1M, so that `500` (bytes) or `0.5` cannot empty the repository. */
export function sizeLimit(value: string): number {
  const bytes = byteSize(value);
  if (bytes < MIN_TOTAL_BYTES)
    throw new InvalidArgumentError(
      `expected a size of at least 1M (${MIN_TOTAL_BYTES} bytes), such as 500M or 2G`,
    );
  return bytes;
}
