/**
 * 64-bit hashes as two 32-bit halves, for HyperLogLog and duplicate detection. Node has no fast
 * native 64-bit string hash (node:crypto costs a native call per value, far slower than these
 * loops for short values), so strings run two independent multiplicative lanes (FNV-1a and a
 * MurmurHash2-style lane) finished by MurmurHash3's fmix32, and numbers hash their IEEE-754 bits.
 * Not cryptographic: an adversary can craft collisions, which only bends estimates.
 */

const scratchFloat = new Float64Array(1);
const scratchWords = new Uint32Array(scratchFloat.buffer);
// Little-endian word order is asserted at load: every supported Node platform is little-endian.
const LOW = 0;
const HIGH = 1;
scratchFloat[0] = 1;
if (scratchWords[HIGH] !== 0x3ff00000) throw new Error('big-endian platforms are not supported');

/** MurmurHash3's 32-bit finaliser: full avalanche of one word. */
export function fmix32(word: number): number {
  let h = word;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string's UTF-16 code units into `out[0]` (high half) and `out[1]` (low half). */
export function hashString(text: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const high = fmix32(a ^ Math.imul(b, 0x9e3779b1));
  out[0] = high;
  out[1] = fmix32((b + high) ^ 0x27d4eb2d);
}

/** Hashes the two words of a float64 (already split) into `out` like {@link hashString}. */
export function hashWords(high: number, low: number, out: Uint32Array): void {
  // Two finalisers rather than three: this runs once per numeric cell on the profiling hot path.
  const first = fmix32(high ^ Math.imul(low ^ 0x85ebca6b, 0x9e3779b1));
  out[0] = first;
  out[1] = fmix32((low + Math.imul(first, 0xcc9e2d51)) ^ high);
}

/** Hashes a number by its bits; -0 hashes as 0 and every NaN alike, so equal values agree. */
export function hashNumber(value: number, out: Uint32Array): void {
  scratchFloat[0] = value === 0 ? 0 : Number.isNaN(value) ? NaN : value;
  hashWords(scratchWords[HIGH] ?? 0, scratchWords[LOW] ?? 0, out);
}

/** Splits a float64 into its IEEE-754 words: `[high, low]`, written into `out`. */
export function float64Words(value: number, out: Uint32Array): void {
  scratchFloat[0] = value;
  out[0] = scratchWords[HIGH] ?? 0;
  out[1] = scratchWords[LOW] ?? 0;
}
