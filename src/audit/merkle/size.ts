/**
 * Checks and arithmetic on tree sizes and leaf indexes. Sizes go up to 2^53 − 1, so this uses
 * plain arithmetic: JavaScript bitwise operators would truncate to 32 bits.
 */
import { RampartError } from '../../core/index.js';

/**
 * Checks that `value` is a non-negative safe integer.
 * @throws RAMPART_AUDIT_RANGE_INVALID otherwise.
 */
export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RampartError(
      'RAMPART_AUDIT_RANGE_INVALID',
      `${name} must be a non-negative integer up to 2^53 - 1, got ${String(value)}`,
      { details: { [name]: String(value) } },
    );
  }
}

/** The largest power of two strictly less than `n` (n ≥ 2): the RFC 9162 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True when `n` is odd. */
export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** `n` shifted right by one bit. */
export function half(n: number): number {
  return Math.floor(n / 2);
}

/** True when `n` is a power of two (1, 2, 4, …). */
export function isPowerOfTwo(n: number): boolean {
  return n === 1 || (n >= 2 && splitPoint(n) * 2 === n);
}
