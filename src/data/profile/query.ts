/** Reads estimates back out of a profile: quantiles, histograms, distinct counts. */
import { RampartError } from '../../core/index.js';
import type { ColumnProfile, NumericSummary } from './types.js';

function numericOf(column: ColumnProfile, what: string): NumericSummary {
  if (column.numeric === undefined) {
    throw new RampartError(
      'RAMPART_PROFILE_MISMATCH',
      `${what} needs a numeric column, but ${JSON.stringify(column.name)} is ${column.type}`,
    );
  }
  return column.numeric;
}

const clamp = (value: number, min: number, max: number): number =>
  Math.min(max, Math.max(min, value));

/**
 * The estimated q-quantile of a numeric column's finite values (within 1 % relative of the
 * true element of rank ⌊q·(n−1)⌋, clamped to the exact min/max), or NaN when there are none.
 */
export function profileQuantile(column: ColumnProfile, q: number): number {
  const numeric = numericOf(column, 'a quantile');
  if (numeric.min === null || numeric.max === null) return NaN;
  if (q === 0) return numeric.min;
  if (q === 1) return numeric.max;
  return clamp(numeric.sketch.quantile(q), numeric.min, numeric.max);
}

/**
 * Estimated counts of a numeric column's finite values per bin of `edges` (numpy's convention:
 * `[e_i, e_{i+1})`, the last bin closed), from the quantile sketch: each sketch bin's count is
 * placed at its representative value (within 1 % of every value it holds), clamped to the exact
 * min/max. Values outside the edges are not counted. Drift on profiles uses this with edges
 * derived from the reference.
 * @throws RAMPART_PROFILE_MISMATCH for a non-numeric column; RAMPART_INTERNAL for bad edges.
 */
export function histogramFromProfile(
  column: ColumnProfile,
  edges: ArrayLike<number>,
): Float64Array {
  const numeric = numericOf(column, 'a histogram');
  for (let i = 0; i < edges.length; i++) {
    const edge = edges[i] ?? NaN;
    if (!Number.isFinite(edge) || (i > 0 && !(edge > (edges[i - 1] ?? NaN)))) {
      throw new RampartError(
        'RAMPART_INTERNAL',
        'histogram edges must be finite and strictly increasing',
      );
    }
  }
  const counts = new Float64Array(Math.max(0, edges.length - 1));
  const { min, max } = numeric;
  if (counts.length === 0 || min === null || max === null) return counts;
  const last = edges[edges.length - 1] ?? NaN;
  numeric.sketch.forEachBin((representative, count) => {
    const value = clamp(representative, min, max);
    if (value < (edges[0] ?? NaN) || value > last) return;
    const index = binIndex(edges, value);
    counts[index] = (counts[index] ?? 0) + count;
  });
  return counts;
}

/** The index i with edges[i] ≤ value < edges[i+1], or the last bin for value = last edge. */
function binIndex(edges: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = edges.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((edges[middle] ?? NaN) <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The estimated number of distinct present values (exact for booleans). */
export function distinctCount(column: ColumnProfile): number {
  if (column.type === 'boolean') return column.frequent?.size ?? 0;
  return Math.round(column.distinct.estimate());
}
