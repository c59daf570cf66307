/**
 * A DDSketch quantile sketch (Masson, Rim and Lee, VLDB 2019), reimplemented after DataDog's
 * sketches-js: cubically interpolated logarithmic mapping, relative accuracy 1 %, and
 * collapsing-lowest dense stores of at most 2,048 bins per sign (≤ 32 KB). We do not use
 * @datadog/sketches-js 2.1.1 itself: its `merge` drops the negative store, its serialiser needs
 * protobufjs and loses min/max, and its per-value path is about twice as slow.
 *
 * Guarantee: while no bins collapsed, a quantile returned is within 1 % (relative) of the true
 * element of rank ⌊q·(n−1)⌋. Collapsing needs values spanning more than ~2^58 in magnitude within
 * one sign; only the smallest magnitudes then lose accuracy. Merging is exact, commutative and
 * associative: the bins depend only on the multiset of keys, whatever the order.
 */

/** The sketch's relative accuracy α. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
/** The maximum number of bins per sign. */
export const SKETCH_BIN_LIMIT = 2048;
/** Magnitudes below the smallest normal float64 count as zero. */
const TINY = 2 ** -1022;

const GAMMA = 1 + (2 * SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
// Cubic approximation of log2 on the mantissa (DataDog's CubicallyInterpolatedMapping).
const A = 6 / 35;
const B = -3 / 5;
const C = 10 / 7;
const MULTIPLIER = 1 / (Math.log1p(GAMMA - 1) * C);
const TWO_POW_20 = 2 ** -20;
const TWO_POW_52 = 2 ** -52;

/** The bin key of a positive normal float64 given its IEEE-754 words (sign bit ignored). */
export function keyOfWords(high: number, low: number): number {
  const exponent = ((high >>> 20) & 0x7ff) - 1023;
  const s = (high & 0xfffff) * TWO_POW_20 + low * TWO_POW_52;
  return Math.ceil((((A * s + B) * s + C) * s + exponent) * MULTIPLIER);
}

/** The value bins with `key` stand for (the inverse mapping, scaled to the bin's middle). */
export function valueOfKey(key: number): number {
  const y = key / MULTIPLIER;
  const exponent = Math.floor(y);
  const delta0 = B * B - 3 * A * C;
  const delta1 = 2 * B * B * B - 9 * A * B * C - 27 * A * A * (y - exponent);
  const cardano = Math.cbrt((delta1 - Math.sqrt(delta1 * delta1 - 4 * delta0 ** 3)) / 2);
  const significand = -(B + cardano + delta0 / cardano) / (3 * A);
  return (1 + significand) * 2 ** exponent * (2 / (1 + GAMMA));
}

/** A run of bin counts by key: `counts[i]` is the count of key `offset + i`. */
export interface Bins {
  readonly offset: number;
  readonly counts: readonly number[];
}

/** A dense store of counts by key that folds its lowest keys once their span exceeds the limit. */
export class BinStore {
  private counts: Float64Array | null = null;
  private offset = 0;
  private collapsed = false;
  total = 0;

  /** Adds `weight` to `key`; the common in-window case stays on the fast path. */
  add(key: number, weight: number): void {
    const counts = this.counts;
    const index = key - this.offset;
    if (counts !== null && index >= 0 && index < SKETCH_BIN_LIMIT) {
      counts[index] = (counts[index] ?? 0) + weight;
    } else if (counts !== null && index < 0 && this.collapsed) {
      counts[0] = (counts[0] ?? 0) + weight;
    } else {
      this.addSlow(key, weight);
    }
    this.total += weight;
  }

  private addSlow(key: number, weight: number): void {
    if (this.counts === null) {
      this.counts = new Float64Array(SKETCH_BIN_LIMIT);
      this.offset = key - SKETCH_BIN_LIMIT / 2;
      this.counts[key - this.offset] = weight;
      return;
    }
    const [first, last] = this.span();
    const low = Math.min(first, key);
    const high = Math.max(last, key);
    const width = high - low + 1;
    const offset =
      width <= SKETCH_BIN_LIMIT
        ? low - ((SKETCH_BIN_LIMIT - width) >> 1)
        : high - SKETCH_BIN_LIMIT + 1;
    if (width > SKETCH_BIN_LIMIT) this.collapsed = true;
    const next = new Float64Array(SKETCH_BIN_LIMIT);
    const old = this.counts;
    for (let i = 0; i < SKETCH_BIN_LIMIT; i++) {
      const count = old[i] ?? 0;
      if (count !== 0) {
        const target = Math.max(i + this.offset, offset) - offset;
        next[target] = (next[target] ?? 0) + count;
      }
    }
    const target = Math.max(key, offset) - offset;
    next[target] = (next[target] ?? 0) + weight;
    this.counts = next;
    this.offset = offset;
  }

  /** The first and last keys with a non-zero count (the store is not empty). */
  private span(): [number, number] {
    const counts = this.counts ?? new Float64Array(0);
    let first = 0;
    while (first < counts.length && counts[first] === 0) first++;
    let last = counts.length - 1;
    while (last > first && counts[last] === 0) last--;
    return [first + this.offset, last + this.offset];
  }

  /** The non-zero range of bins, trimmed, for serialisation and iteration. */
  bins(): Bins {
    if (this.counts === null || this.total === 0) return { offset: 0, counts: [] };
    const [first, last] = this.span();
    const start = first - this.offset;
    return {
      offset: first,
      counts: Array.from(this.counts.subarray(start, start + last - first + 1)),
    };
  }

  /** Adds every bin of `bins` (a merge or a deserialisation). */
  addBins(bins: Bins): void {
    bins.counts.forEach((count, i) => {
      if (count !== 0) this.add(bins.offset + i, count);
    });
  }
}

/** A mergeable quantile sketch over finite values. */
export class QuantileSketch {
  readonly positive = new BinStore();
  readonly negative = new BinStore();
  zero = 0;

  /** Number of values added. */
  get count(): number {
    return this.positive.total + this.negative.total + this.zero;
  }

  /** Adds a finite value given as its IEEE-754 words (the caller has them for hashing anyway). */
  addWords(value: number, high: number, low: number): void {
    if (value >= TINY) this.positive.add(keyOfWords(high, low), 1);
    else if (value <= -TINY) this.negative.add(keyOfWords(high, low), 1);
    else this.zero++;
  }

  /** A new sketch holding this one's values and `other`'s. */
  merge(other: QuantileSketch): QuantileSketch {
    const merged = new QuantileSketch();
    for (const sketch of [this, other]) {
      merged.positive.addBins(sketch.positive.bins());
      merged.negative.addBins(sketch.negative.bins());
      merged.zero += sketch.zero;
    }
    return merged;
  }

  /** Visits the bins in increasing order of value: `(representative value, count)`. */
  forEachBin(visit: (value: number, count: number) => void): void {
    const negative = this.negative.bins();
    for (let i = negative.counts.length - 1; i >= 0; i--) {
      const count = negative.counts[i] ?? 0;
      if (count > 0) visit(-valueOfKey(negative.offset + i), count);
    }
    if (this.zero > 0) visit(0, this.zero);
    const positive = this.positive.bins();
    positive.counts.forEach((count, i) => {
      if (count > 0) visit(valueOfKey(positive.offset + i), count);
    });
  }

  /** The estimated value of rank ⌊q·(n−1)⌋, or NaN when empty or `q` is outside [0, 1]. */
  quantile(q: number): number {
    const n = this.count;
    if (!(q >= 0 && q <= 1) || n === 0) return NaN;
    const rank = q * (n - 1);
    let seen = 0;
    let answer = NaN;
    this.forEachBin((value, count) => {
      if (Number.isNaN(answer) && seen + count > rank) answer = value;
      seen += count;
    });
    return answer;
  }
}
