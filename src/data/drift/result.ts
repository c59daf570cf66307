// Shared result shape and input helpers for the drift statistics.

/** Why a result is a convention rather than a computed statistic. */
export type Degenerate = 'empty' | 'constant';

/** What every drift statistic returns: data, never an exception on ordinary input. */
export interface TestResult {
  /** The test statistic or distance (the score for distance measures). */
  readonly statistic: number;
  /** Present for hypothesis tests only. */
  readonly p_value?: number;
  readonly n_reference: number;
  readonly n_current: number;
  /** Set when an input was empty (or, where documented, constant) and a convention was used. */
  readonly degenerate?: Degenerate;
}

/** A categorical value; numbers and strings are distinct keys (1 ≠ '1'). */
export type Category = string | number | boolean;

/** Copy of the finite-or-infinite values, NaN dropped (Evidently drops missing values). */
export function dropNaN(values: ArrayLike<number>): Float64Array {
  let kept = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) kept++;
  const out = new Float64Array(kept);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return out;
}

/** Ascending sorted copy. */
export function sortedCopy(values: Float64Array): Float64Array {
  return values.slice().sort();
}

/** Counts per category, in first-seen order, NaN dropped. */
export function countValues(values: readonly Category[]): Map<Category, number> {
  const counts = new Map<Category, number>();
  for (const v of values) {
    if (typeof v === 'number' && Number.isNaN(v)) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/** Union of the keys of two count maps, reference keys first. */
export function unionKeys(a: Map<Category, number>, b: Map<Category, number>): Category[] {
  const keys = [...a.keys()];
  for (const k of b.keys()) if (!a.has(k)) keys.push(k);
  return keys;
}

/** Sum with Neumaier compensation (numpy's pairwise sum is within a few ulps of it). */
export function accurateSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}
