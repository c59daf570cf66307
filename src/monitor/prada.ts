/**
 * PRADA (Juuti et al., EuroS&P 2019) for one client: per predicted class a growing set of
 * queries and a threshold; every query's distance to its class's set feeds a pool whose
 * normality (Shapiro–Wilk W) is tested every few queries. Natural query streams give
 * near-normal minimum distances; synthetic extraction streams give skewed or multimodal ones.
 */
import { RampartError } from '../core/index.js';
import { SHAPIRO_MAX_N, shapiroWilk } from './shapiro.js';

// With a large pool, a new test waits for this fraction (1/20) of its size in new queries.
const POOL_SHARE = 20;

/** PRADA settings; every field has the default documented in docs/monitoring.md. */
export interface PradaOptions {
  /** Alarm when W < delta (reference demo value 0.9). */
  readonly delta?: number;
  /** Test W every this many queries (10). */
  readonly testEvery?: number;
  /** Classes join the pool once they hold this many distances (10). */
  readonly minClassDistances?: number;
  /** W is computed only when more than this many distances remain after outliers (100). */
  readonly minPooled?: number;
  /** Largest growing set per class; beyond it, reservoir sampling (128). */
  readonly maxSetSize?: number;
  /** Most recent distances kept per class (500). */
  readonly maxDistances?: number;
  /** Classes tracked per client; queries of further classes are ignored (32). */
  readonly maxClasses?: number;
  /** Seed of the reservoir's random source, for reproducible runs. */
  readonly seed?: number;
}

/** The outcome of a PRADA test; `alarm` when W < delta. */
export interface PradaVerdict {
  readonly w: number;
  readonly pValue: number;
  readonly pooled: number;
  readonly queries: number;
  readonly alarm: boolean;
}

const DEFAULTS = {
  delta: 0.9,
  testEvery: 10,
  minClassDistances: 10,
  minPooled: 100,
  maxSetSize: 128,
  maxDistances: 500,
  maxClasses: 32,
  seed: 0x9e3779b9,
} as const;

type Settings = { readonly [K in keyof typeof DEFAULTS]: number };

/** One class's growing set, its threshold and the distances it has seen. */
class ClassState {
  readonly points: Float32Array;
  size = 0;
  /** Candidates ever accepted into the set, for reservoir sampling. */
  accepted = 0;
  threshold = 0;
  // Welford over the accepted distances, for the threshold mean − std.
  setCount = 0;
  setMean = 0;
  setM2 = 0;
  readonly distances: Float64Array;
  distanceCount = 0;

  constructor(
    readonly dim: number,
    maxSetSize: number,
    maxDistances: number,
  ) {
    this.points = new Float32Array(dim * maxSetSize);
    this.distances = new Float64Array(maxDistances);
  }
}

/** PRADA state for one client; memory is fixed by the options and the input dimension. */
export class PradaDetector {
  readonly #o: Settings;
  readonly #classes = new Map<string | number, ClassState>();
  #dim = -1;
  #queries = 0;
  #rng: number;
  #testedAt = 0;
  #lastPooled = 0;

  /** @throws RAMPART_MONITOR_INVALID for an option out of range. */
  constructor(options: PradaOptions = {}) {
    this.#o = resolveOptions(options);
    this.#rng = this.#o.seed >>> 0 || 1;
  }

  /** The alarm threshold on W. */
  get delta(): number {
    return this.#o.delta;
  }

  /** Queries observed so far. */
  get queries(): number {
    return this.#queries;
  }

  /**
   * Adds one query with its predicted class; returns a verdict on the queries where W was
   * tested. Inputs of another dimension than the first are ignored (a different model).
   */
  observe(input: ArrayLike<number>, predictedClass: string | number): PradaVerdict | undefined {
    if (this.#dim === -1) this.#dim = input.length;
    if (input.length !== this.#dim || this.#dim === 0) return undefined;
    let state = this.#classes.get(predictedClass);
    if (state === undefined) {
      if (this.#classes.size >= this.#o.maxClasses) return undefined;
      state = new ClassState(this.#dim, this.#o.maxSetSize, this.#o.maxDistances);
      this.#classes.set(predictedClass, state);
    }
    this.#queries++;
    if (state.size === 0) {
      this.#insert(state, input);
    } else {
      const d = minDistance(state, input);
      state.distances[state.distanceCount % state.distances.length] = d;
      state.distanceCount++;
      if (d > state.threshold) {
        this.#insert(state, input);
        state.setCount++;
        const delta = d - state.setMean;
        state.setMean += delta / state.setCount;
        state.setM2 += delta * (d - state.setMean);
        const std = state.setCount > 1 ? Math.sqrt(state.setM2 / state.setCount) : 0;
        state.threshold = Math.max(state.threshold, state.setMean - std);
      }
    }
    // Every testEvery queries, as the reference does, until the pool is large: then a test at
    // most once per 5 % of the pool's size in new queries, since fewer barely move W and the
    // test (a sort of up to 5,000 distances) would dominate the monitor's cost.
    const interval = Math.max(this.#o.testEvery, Math.floor(this.#lastPooled / POOL_SHARE));
    if (this.#queries - this.#testedAt < interval) return undefined;
    this.#testedAt = this.#queries;
    return this.#test();
  }

  #insert(state: ClassState, input: ArrayLike<number>): void {
    const cap = state.points.length / state.dim;
    state.accepted++;
    let slot = state.size;
    if (state.size >= cap) {
      // Reservoir (Algorithm R): the set stays a uniform sample of every accepted query.
      slot = this.#random(state.accepted);
      if (slot >= cap) return;
    } else {
      state.size++;
    }
    const base = slot * state.dim;
    for (let i = 0; i < state.dim; i++) state.points[base + i] = input[i] ?? 0;
  }

  #test(): PradaVerdict | undefined {
    let total = 0;
    for (const state of this.#classes.values()) total += this.#kept(state);
    const pool = new Float64Array(total);
    let at = 0;
    for (const state of this.#classes.values()) {
      const kept = this.#kept(state);
      pool.set(state.distances.subarray(0, kept), at);
      at += kept;
    }
    const kept = dropOutliers(pool);
    this.#lastPooled = kept.length;
    if (kept.length <= this.#o.minPooled) return undefined;
    const sample = kept.length > SHAPIRO_MAX_N ? stride(kept, SHAPIRO_MAX_N) : kept;
    // Zero range (every distance equal), which no natural stream produces, is W = 0; so is a
    // sample the test refuses (a distance that overflowed to infinity). Equal distances are
    // checked first: they are common under attack, and a refusal costs a stack trace.
    const result = hasRange(sample) ? testNormality(sample) : { w: 0, pValue: 0 };
    return {
      w: result.w,
      pValue: result.pValue,
      pooled: sample.length,
      queries: this.#queries,
      alarm: result.w < this.#o.delta,
    };
  }

  // Distances a class contributes to the pool: all it keeps, once it has enough.
  #kept(state: ClassState): number {
    const kept = Math.min(state.distanceCount, state.distances.length);
    return kept < this.#o.minClassDistances ? 0 : kept;
  }

  // xorshift32: cheap, seeded, and good enough to pick reservoir slots.
  #random(bound: number): number {
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x >>> 0;
    return this.#rng % bound;
  }
}

function minDistance(state: ClassState, input: ArrayLike<number>): number {
  let best = Infinity;
  const { dim, points } = state;
  for (let p = 0; p < state.size; p++) {
    const base = p * dim;
    let sum = 0;
    for (let i = 0; i < dim && sum < best; i++) {
      const diff = (input[i] ?? 0) - (points[base + i] as number);
      sum += diff * diff;
    }
    if (sum < best) best = sum;
  }
  return Math.sqrt(best);
}

/** Values within 3 standard deviations of the mean (PRADA drops |d − mean| ≥ 3σ). */
function dropOutliers(values: Float64Array): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] as number;
  mean /= n || 1;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  const limit = 3 * Math.sqrt(ss / (n || 1));
  if (limit === 0) return values;
  // In place: the pool is this test's own copy.
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Math.abs(v - mean) < limit) values[kept++] = v;
  }
  return values.subarray(0, kept);
}

function testNormality(sample: Float64Array): { w: number; pValue: number } {
  try {
    return shapiroWilk(sample);
  } catch {
    return { w: 0, pValue: 0 };
  }
}

function hasRange(values: Float64Array): boolean {
  const first = values[0] as number;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return true;
  return false;
}

function stride(values: Float64Array, limit: number): Float64Array {
  const step = values.length / limit;
  return Float64Array.from({ length: limit }, (_, i) => values[Math.floor(i * step)] as number);
}

function resolveOptions(options: PradaOptions): Settings {
  const o = { ...DEFAULTS, ...options };
  const check = (name: keyof Settings, ok: boolean): void => {
    if (!ok) {
      throw new RampartError('RAMPART_MONITOR_INVALID', `PRADA option ${name} is out of range`, {
        hint: 'See the PRADA defaults and ranges in docs/monitoring.md.',
        details: { [name]: o[name] },
      });
    }
  };
  check('delta', o.delta > 0 && o.delta < 1);
  for (const name of ['testEvery', 'minClassDistances', 'maxSetSize', 'maxDistances'] as const) {
    check(name, Number.isInteger(o[name]) && o[name] >= 1 && o[name] <= 1_000_000);
  }
  check('minPooled', Number.isInteger(o.minPooled) && o.minPooled >= 2);
  check(
    'maxClasses',
    Number.isInteger(o.maxClasses) && o.maxClasses >= 1 && o.maxClasses <= 10_000,
  );
  check('seed', Number.isInteger(o.seed));
  return Object.freeze(o);
}
