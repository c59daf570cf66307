/** One evaluation window of a canary's own samples, and the gate decision over it. */

/** The gate thresholds (gateway.canary in rampart.yaml). */
export interface CanaryGates {
  readonly minSamples: number;
  readonly maxErrorRate: number;
  readonly maxP99Ms: number;
}

/** A window's outcome: advance, roll back, or hold (too few samples to tell). */
export interface Verdict {
  readonly outcome: 'pass' | 'fail' | 'inconclusive';
  /** One line for the audit entry and `deploy --status`. */
  readonly reason: string;
  readonly samples: number;
  readonly errors: number;
  /** p99 latency, rounded up to the histogram bucket (never above the slowest sample). */
  readonly p99Ms: number;
}

// Latency histogram for the reported p99: bucket i holds samples up to 0.1 ms × 2^(i/8)
// (≤ 9 % over the true value), the last one everything slower. Memory stays fixed per window.
const BASE_MS = 0.1;
const PER_DOUBLING = 8;
const BUCKETS = 208;

/** Nearest-rank 99th percentile position (1-based) among `n` samples, in integers. */
function p99Rank(n: number): number {
  return Math.ceil((99 * n) / 100);
}

/** Samples of one window: counts, errors, how many exceeded the latency cap, a histogram. */
export class Window {
  samples = 0;
  errors = 0;
  /** Samples slower than the gate's maxP99Ms (exact: the decision does not use the histogram). */
  slow = 0;
  #maxMs = 0;
  readonly #histogram = new Uint32Array(BUCKETS);
  readonly #gates: CanaryGates;

  constructor(gates: CanaryGates) {
    this.#gates = gates;
  }

  /** Adds one request's outcome. */
  add(latencyMs: number, error: boolean): void {
    // A missing or nonsensical latency counts as infinitely slow: fail closed.
    const ms = Number.isFinite(latencyMs) && latencyMs >= 0 ? latencyMs : Number.POSITIVE_INFINITY;
    this.samples += 1;
    if (error) this.errors += 1;
    if (ms > this.#gates.maxP99Ms) this.slow += 1;
    if (ms > this.#maxMs) this.#maxMs = ms;
    const index =
      ms <= BASE_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(PER_DOUBLING * Math.log2(ms / BASE_MS)));
    this.#histogram[index] = (this.#histogram[index] ?? 0) + 1;
  }

  /** The p99 latency in ms (0 without samples), from the histogram. */
  p99Ms(): number {
    if (this.samples === 0) return 0;
    const rank = p99Rank(this.samples);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#histogram[i] ?? 0;
      if (seen >= rank) {
        const bound = i === BUCKETS - 1 ? this.#maxMs : BASE_MS * 2 ** (i / PER_DOUBLING);
        return Math.min(bound, this.#maxMs);
      }
    }
    return this.#maxMs;
  }

  /**
   * The gate decision. The rates are taken over max(samples, minSamples), as if the missing
   * samples were fast successes: so a window with too few samples still fails when it could
   * not pass whatever came next, and is inconclusive otherwise.
   */
  verdict(): Verdict {
    const { minSamples, maxErrorRate, maxP99Ms } = this.#gates;
    const basis = Math.max(this.samples, minSamples);
    const errorRate = this.errors / basis;
    // p99 > cap exactly when more than basis − rank(basis) samples exceed the cap.
    const slowAllowed = basis - p99Rank(basis);
    const p99Ms = this.p99Ms();
    const measured = `${percent(this.errors / Math.max(this.samples, 1))} errors (${this.errors}/${this.samples}), p99 ${round(p99Ms)} ms`;
    const base = { samples: this.samples, errors: this.errors, p99Ms };
    if (errorRate > maxErrorRate) {
      return {
        ...base,
        outcome: 'fail',
        reason: `error rate ${percent(errorRate)} over ${basis} samples is above ${percent(maxErrorRate)} (${measured})`,
      };
    }
    if (this.slow > slowAllowed) {
      return {
        ...base,
        outcome: 'fail',
        reason: `${this.slow} of ${basis} samples took over ${maxP99Ms} ms, so p99 is above the cap (${measured})`,
      };
    }
    if (this.samples < minSamples) {
      return {
        ...base,
        outcome: 'inconclusive',
        reason: `${this.samples} samples, fewer than ${minSamples} (${measured})`,
      };
    }
    return { ...base, outcome: 'pass', reason: measured };
  }
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function round(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(ms < 10 ? 2 : 0) : 'inf';
}
