/** Accumulates a numeric column: counts, exact min/max, Welford/Chan moments, sketch and HLL. */
import { CELL_MISSING, CELL_PRESENT, type NumericColumn } from '../table/batch.js';
import { fmix32 } from './hash.js';
import { HLL_LG_K, HLL_MAX_RANK, HyperLogLog } from './hll.js';
import { QuantileSketch } from './quantile-sketch.js';
import type { ColumnProfile } from './types.js';

const scratchFloat = new Float64Array(1);
const scratchWords = new Uint32Array(scratchFloat.buffer);

/** Combines two (n, mean, m2) triples exactly as Chan, Golub and LeVeque (1979) do. */
export function chanMerge(
  n1: number,
  mean1: number,
  m21: number,
  n2: number,
  mean2: number,
  m22: number,
): { n: number; mean: number; m2: number } {
  const n = n1 + n2;
  if (n1 === 0) return { n, mean: mean2, m2: m22 };
  if (n2 === 0) return { n, mean: mean1, m2: m21 };
  const delta = mean2 - mean1;
  return { n, mean: mean1 + (delta * n2) / n, m2: m21 + m22 + (delta * delta * n1 * n2) / n };
}

/** Squared deviations of values beyond ~1e154 overflow; saturate so profiles stay JSON. */
export function saturate(m2: number): number {
  return Math.min(m2, Number.MAX_VALUE);
}

/** One numeric column's running state. */
export class NumericAccumulator {
  count = 0;
  missing = 0;
  invalid = 0;
  nan = 0;
  posInf = 0;
  negInf = 0;
  n = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  readonly sketch = new QuantileSketch();
  readonly distinct = new HyperLogLog();

  constructor(
    readonly name: string,
    readonly type: 'number' | 'integer',
  ) {}

  /** Adds the first `rows` cells of `column`. */
  add(column: NumericColumn, rows: number): void {
    const { values, state } = column;
    const { sketch } = this;
    // The hash and the HyperLogLog update are written out here (as in hashWords and
    // HyperLogLog.add, which a test holds equal): this loop runs once per numeric cell.
    const registers = this.distinct.registers;
    let finite = 0;
    let sum = 0;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < rows; i++) {
      const cell = state[i];
      if (cell !== CELL_PRESENT) {
        if (cell === CELL_MISSING) this.missing++;
        else this.invalid++;
        continue;
      }
      const value = values[i] as number;
      if (value !== value) {
        this.nan++;
        continue;
      }
      scratchFloat[0] = value === 0 ? 0 : value;
      const high = scratchWords[1] as number;
      const low = scratchWords[0] as number;
      const hashHigh = fmix32(high ^ Math.imul(low ^ 0x85ebca6b, 0x9e3779b1));
      const hashLow = fmix32((low + Math.imul(hashHigh, 0xcc9e2d51)) ^ high);
      const register = hashHigh >>> (32 - HLL_LG_K);
      const rank = hashLow === 0 ? HLL_MAX_RANK : Math.clz32(hashLow) + 1;
      if (rank > (registers[register] as number)) registers[register] = rank;
      if (value === Infinity) this.posInf++;
      else if (value === -Infinity) this.negInf++;
      else {
        finite++;
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
        sketch.addWords(value, high, low);
      }
    }
    this.count += rows;
    this.min = min;
    this.max = max;
    if (finite > 0) this.addMoments(values, state, rows, finite, sum);
  }

  /** Second pass: deviations from the batch mean, then Chan's merge into the running moments. */
  private addMoments(
    values: Float64Array,
    state: Uint8Array,
    rows: number,
    finite: number,
    sum: number,
  ): void {
    // Two passes per batch are more accurate than per-value Welford and avoid a division per
    // value. Kept out of `add` so V8 still inlines the sketch and hash calls there.
    let batchMean = sum / finite;
    if (!Number.isFinite(batchMean)) {
      // Near ±1.8e308 the plain sum overflows; a sum of scaled values does not.
      batchMean = 0;
      for (let i = 0; i < rows; i++) {
        const value = values[i] ?? NaN;
        if (state[i] === CELL_PRESENT && value - value === 0) batchMean += value / finite;
      }
    }
    let m2 = 0;
    for (let i = 0; i < rows; i++) {
      const value = values[i] ?? NaN;
      if (state[i] === CELL_PRESENT && value - value === 0) {
        const d = value - batchMean;
        m2 += d * d;
      }
    }
    const merged = chanMerge(this.n, this.mean, this.m2, finite, batchMean, m2);
    this.n = merged.n;
    this.mean = merged.mean;
    this.m2 = merged.m2;
  }

  /** The finished column profile. */
  finish(): ColumnProfile {
    const empty = this.n === 0;
    return {
      name: this.name,
      type: this.type,
      count: this.count,
      missing: this.missing,
      invalid: this.invalid,
      nan: this.nan,
      posInf: this.posInf,
      negInf: this.negInf,
      distinct: this.distinct,
      numeric: {
        n: this.n,
        // `+ 0` turns -0 into 0, which JSON cannot tell apart anyway.
        min: empty ? null : this.min + 0,
        max: empty ? null : this.max + 0,
        mean: this.mean,
        m2: saturate(this.m2),
        sketch: this.sketch,
      },
    };
  }
}
