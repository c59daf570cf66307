// Seeded sampling for the reference: a reservoir per numeric column (its median, MAD, IQR) and a
// Bernoulli draw of reference rows. Seeded so that the same tables always give the same report.

/** mulberry32: a small, fast, seeded 32-bit generator; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Reservoir sampling (Li's algorithm L: a uniform sample drawing O(k log(n/k)) random numbers
 * rather than one per value); exact while the column has ≤ `size` finite values.
 */
export class Reservoir {
  /** Finite values seen. */
  seen = 0;
  readonly #values: Float64Array;
  readonly #random: () => number;
  #w = 1;
  #next = 0;

  constructor(size: number, random: () => number) {
    this.#values = new Float64Array(size);
    this.#random = random;
  }

  /** Offers one value; NaN and ±Infinity are not part of the scale estimate. */
  add(v: number): void {
    if (!Number.isFinite(v)) return;
    const size = this.#values.length;
    if (this.seen < size) {
      this.#values[this.seen] = v;
      if (this.seen === size - 1) this.#skip();
    } else if (this.seen === this.#next) {
      this.#values[Math.floor(this.#random() * size)] = v;
      this.#skip();
    }
    this.seen++;
  }

  /** The kept values, sorted ascending. */
  sorted(): Float64Array {
    return this.#values.slice(0, Math.min(this.seen, this.#values.length)).sort();
  }

  #skip(): void {
    const k = this.#values.length;
    this.#w *= Math.exp(Math.log(this.#positive()) / k);
    this.#next = this.seen + Math.floor(Math.log(this.#positive()) / Math.log(1 - this.#w)) + 1;
  }

  #positive(): number {
    return 1 - this.#random();
  }
}

/** Centre and robust scale of a numeric column; scale 0 when the column is constant or empty. */
export interface RobustStats {
  readonly median: number;
  readonly scale: number;
}

/**
 * Median and robust scale: 1.4826 × MAD (consistent with σ under normality); when more than half
 * the values are equal (MAD 0), IQR / 1.349; then the standard deviation; else 0.
 */
export function robustStats(sorted: Float64Array): RobustStats {
  const n = sorted.length;
  if (n === 0) return { median: NaN, scale: 0 };
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort();
  const mad = 1.4826 * quantile(deviations, 0.5);
  if (mad > 0) return { median, scale: mad };
  const iqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.349;
  if (iqr > 0) return { median, scale: iqr };
  let mean = 0;
  for (const v of sorted) mean += v / n;
  let m2 = 0;
  for (const v of sorted) m2 += (v - mean) * (v - mean);
  return { median, scale: Math.sqrt(m2 / n) };
}

/** numpy's default (linear) quantile of sorted values. */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (b - a) * (pos - lo);
}
