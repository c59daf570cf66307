/**
 * Category-like CSV cells repeat; decoding each one again would allocate a string per cell. The
 * scanner looks short ASCII cells up here by a hash of their bytes instead (direct-mapped, so
 * memory stays fixed whatever the data).
 */
import { isNaText } from './cells.js';

const SLOTS = 4096;
/** Longest cell, in bytes, looked up in the table. */
export const INTERN_MAX_BYTES = 32;

/** Decoded short ASCII cells by a hash of their bytes, with their value (null for NA text). */
export class InternTable {
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(SLOTS);
  private readonly values: (string | null)[] = new Array<string | null>(SLOTS);

  /** The value of the ASCII cell `buf[p, p + length)` whose bytes hash to `hash`. */
  value(buf: Buffer, p: number, length: number, hash: number): string | null {
    const slot = hash & (SLOTS - 1);
    const known = this.texts[slot];
    if (known?.length === length) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (known.charCodeAt(k) !== buf[p + k]) {
          same = false;
          break;
        }
      }
      if (same) return this.values[slot] ?? null;
    }
    // Another cell held the slot: decode this one and keep it instead.
    const text = buf.toString('latin1', p, p + length);
    const value = isNaText(text) ? null : text;
    this.texts[slot] = text;
    this.values[slot] = value;
    return value;
  }
}
