/**
 * Model-agnostic query-log signals kept per client beside PRADA: request rate against a
 * ceiling, input-space coverage (histogram entropy against benign traffic) and the share of
 * low-margin predictions. Each has fixed memory and O(features) work per query.
 */
import { RampartError } from '../core/index.js';

/** One signal's reading; `alarm` when `value` crosses `threshold` (above it; for PRADA's W, below). */
export interface SignalReading {
  readonly value: number;
  readonly threshold: number;
  readonly alarm: boolean;
}

/** Rate settings: alarm when the smoothed rate exceeds `ceilingPerSecond`. */
export interface RateOptions {
  readonly ceilingPerSecond: number;
  /** Time constant of the exponential smoothing (60 s). */
  readonly windowSeconds?: number;
}

/** Exponentially weighted request rate: Σ exp(−age/τ) over past requests, divided by τ. */
export class RateSignal {
  readonly #ceiling: number;
  readonly #tauMs: number;
  #mass = 0;
  #last = Number.NEGATIVE_INFINITY;

  /** @throws RAMPART_MONITOR_INVALID for a ceiling or window that is not positive. */
  constructor(options: RateOptions) {
    const window = options.windowSeconds ?? 60;
    positive('rate ceilingPerSecond', options.ceilingPerSecond);
    positive('rate windowSeconds', window);
    this.#ceiling = options.ceilingPerSecond;
    this.#tauMs = window * 1000;
  }

  /** Counts one request at `nowMs` and reads the rate in requests per second. */
  observe(nowMs: number): SignalReading {
    // A clock that steps back (NTP) must not inflate the rate: treat it as no time passing.
    const elapsed = Math.max(0, nowMs - this.#last);
    this.#mass = this.#mass * Math.exp(-elapsed / this.#tauMs) + 1;
    this.#last = Math.max(this.#last, nowMs);
    const value = this.#mass / (this.#tauMs / 1000);
    return { value, threshold: this.#ceiling, alarm: value > this.#ceiling };
  }
}

/** Per-feature bins and the entropy benign traffic reaches over them. */
export interface CoverageReference {
  readonly min: readonly number[];
  readonly max: readonly number[];
  readonly bins: number;
  /** Normalised entropy (0..1) of the benign histogram, per feature. */
  readonly entropy: readonly number[];
}

/** Coverage settings; the reference comes from {@link coverageReference}. */
export interface CoverageOptions {
  readonly reference: CoverageReference;
  /** Alarm when mean entropy exceeds the reference's by this much (0.1). */
  readonly threshold?: number;
  /** Queries before the signal speaks (200). */
  readonly minQueries?: number;
  /** Counts are halved when they reach this many queries, so old traffic fades (2000). */
  readonly window?: number;
}

/**
 * Builds the coverage reference from benign inputs: equal-width bins over each feature's
 * range plus one under- and one overflow bin, and the benign entropy over them.
 * @throws RAMPART_MONITOR_INVALID for an empty sample, ragged rows or fewer than 2 bins.
 */
export function coverageReference(
  samples: readonly (readonly number[])[],
  bins = 10,
): CoverageReference {
  const dim = samples[0]?.length ?? 0;
  if (dim === 0 || samples.some((s) => s.length !== dim)) {
    throw invalid('coverage reference needs non-empty rows of one length');
  }
  if (!Number.isInteger(bins) || bins < 2 || bins > 1000)
    throw invalid('coverage bins must be 2 to 1000');
  const min = new Array<number>(dim).fill(Infinity);
  const max = new Array<number>(dim).fill(-Infinity);
  for (const s of samples) {
    for (let f = 0; f < dim; f++) {
      const v = s[f] as number;
      if (!Number.isFinite(v)) throw invalid('coverage reference values must be finite');
      if (v < (min[f] as number)) min[f] = v;
      if (v > (max[f] as number)) max[f] = v;
    }
  }
  const partial = { min, max, bins, entropy: [] as number[] };
  const counts = new Float64Array(dim * (bins + 2));
  for (const s of samples) addCounts(counts, partial, s);
  const entropy = Array.from({ length: dim }, (_, f) => normalisedEntropy(counts, f, bins + 2));
  return Object.freeze({ min, max, bins, entropy });
}

/** Histogram entropy of one client's queries against the benign reference. */
export class CoverageSignal {
  readonly #reference: CoverageReference;
  readonly #threshold: number;
  readonly #minQueries: number;
  readonly #window: number;
  readonly #counts: Float64Array;
  #seen = 0;
  #weight = 0;

  /** @throws RAMPART_MONITOR_INVALID for settings out of range. */
  constructor(options: CoverageOptions) {
    this.#reference = options.reference;
    this.#threshold = options.threshold ?? 0.1;
    this.#minQueries = options.minQueries ?? 200;
    this.#window = options.window ?? 2000;
    positive('coverage threshold', this.#threshold);
    if (this.#window < this.#minQueries) throw invalid('coverage window must be ≥ minQueries');
    this.#counts = new Float64Array(this.#reference.min.length * (this.#reference.bins + 2));
  }

  /** Adds one input (other lengths are ignored) and reads the entropy rise over benign. */
  observe(input: ArrayLike<number>): SignalReading | undefined {
    const dim = this.#reference.min.length;
    if (input.length !== dim) return undefined;
    addCounts(this.#counts, this.#reference, input);
    this.#seen++;
    this.#weight++;
    if (this.#weight >= this.#window) {
      for (let i = 0; i < this.#counts.length; i++) (this.#counts[i] as number) /= 2;
      this.#weight /= 2;
    }
    if (this.#seen < this.#minQueries) return undefined;
    let rise = 0;
    const width = this.#reference.bins + 2;
    for (let f = 0; f < dim; f++) {
      rise += normalisedEntropy(this.#counts, f, width) - (this.#reference.entropy[f] as number);
    }
    const value = rise / dim;
    return { value, threshold: this.#threshold, alarm: value > this.#threshold };
  }
}

function addCounts(
  counts: Float64Array,
  reference: Pick<CoverageReference, 'min' | 'max' | 'bins'>,
  input: ArrayLike<number>,
): void {
  const { bins } = reference;
  for (let f = 0; f < reference.min.length; f++) {
    const lo = reference.min[f] as number;
    const span = (reference.max[f] as number) - lo;
    const v = input[f] ?? Number.NaN;
    let bin: number;
    if (!(v >= lo)) bin = 0;
    else if (v > lo + span) bin = bins + 1;
    else bin = 1 + Math.min(bins - 1, span > 0 ? Math.floor(((v - lo) / span) * bins) : 0);
    (counts[f * (bins + 2) + bin] as number) += 1;
  }
}

function normalisedEntropy(counts: Float64Array, feature: number, width: number): number {
  let total = 0;
  for (let b = 0; b < width; b++) total += counts[feature * width + b] as number;
  if (total === 0) return 0;
  let h = 0;
  for (let b = 0; b < width; b++) {
    const p = (counts[feature * width + b] as number) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h / Math.log(width);
}

/** Margin settings: low margin is |p1 − p2| < `margin`. */
export interface MarginOptions {
  /** alibi's margin default (0.1). */
  readonly margin?: number;
  /** Predictions in the sliding window (200). */
  readonly window?: number;
  /** Alarm when the low-margin share of a full window exceeds this (0.3). */
  readonly maxShare?: number;
}

/** Share of low-margin predictions over the last `window` queries with scores. */
export class MarginSignal {
  readonly #margin: number;
  readonly #maxShare: number;
  readonly #flags: Uint8Array;
  #next = 0;
  #filled = 0;
  #low = 0;

  /** @throws RAMPART_MONITOR_INVALID for settings out of range. */
  constructor(options: MarginOptions = {}) {
    this.#margin = options.margin ?? 0.1;
    this.#maxShare = options.maxShare ?? 0.3;
    const window = options.window ?? 200;
    positive('margin', this.#margin);
    positive('margin maxShare', this.#maxShare);
    if (!Number.isInteger(window) || window < 10 || window > 1_000_000) {
      throw invalid('margin window must be an integer from 10 to 1000000');
    }
    this.#flags = new Uint8Array(window);
  }

  /** Adds one prediction's scores (fewer than 2 are ignored) and reads the low-margin share. */
  observe(scores: ArrayLike<number>): SignalReading | undefined {
    if (scores.length < 2) return undefined;
    let p1 = Number.NEGATIVE_INFINITY;
    let p2 = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      if (s > p1) {
        p2 = p1;
        p1 = s;
      } else if (s > p2) p2 = s;
    }
    const low = p1 - p2 < this.#margin ? 1 : 0;
    this.#low += low - (this.#flags[this.#next] as number);
    this.#flags[this.#next] = low;
    this.#next = (this.#next + 1) % this.#flags.length;
    this.#filled = Math.min(this.#filled + 1, this.#flags.length);
    if (this.#filled < this.#flags.length) return undefined;
    const value = this.#low / this.#filled;
    return { value, threshold: this.#maxShare, alarm: value > this.#maxShare };
  }
}

function positive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw invalid(`${name} must be a positive number`);
}

function invalid(message: string): RampartError {
  return new RampartError('RAMPART_MONITOR_INVALID', message, {
    hint: 'See the extraction signal settings in docs/monitoring.md.',
  });
}
