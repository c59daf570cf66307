/** Merges two profiles of the same columns: associative and commutative (see the tests). */
import { RampartError } from '../../core/index.js';
import { chanMerge, saturate } from './numeric.js';
import type { ColumnProfile, DatasetProfile, NumericSummary } from './types.js';

/**
 * The profile of the union of the rows both profiles describe. Counts, min/max, distinct
 * registers and quantile bins merge exactly; means within rounding; frequent items within their
 * error bound.
 * @throws RAMPART_PROFILE_MISMATCH when the column names, order or types differ.
 */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  const names = (p: DatasetProfile): string =>
    JSON.stringify(p.columns.map((c) => [c.name, c.type]));
  if (names(a) !== names(b)) {
    throw new RampartError(
      'RAMPART_PROFILE_MISMATCH',
      `cannot merge profiles of different columns: ${names(a)} and ${names(b)}`,
    );
  }
  return {
    rows: a.rows + b.rows,
    columns: a.columns.map((column, index) => mergeColumn(column, b.columns[index] ?? column)),
  };
}

function mergeColumn(a: ColumnProfile, b: ColumnProfile): ColumnProfile {
  const merged: ColumnProfile = {
    name: a.name,
    type: a.type,
    count: a.count + b.count,
    missing: a.missing + b.missing,
    invalid: a.invalid + b.invalid,
    nan: a.nan + b.nan,
    posInf: a.posInf + b.posInf,
    negInf: a.negInf + b.negInf,
    distinct: a.distinct.union(b.distinct),
  };
  const numeric =
    a.numeric !== undefined && b.numeric !== undefined
      ? mergeNumeric(a.numeric, b.numeric)
      : undefined;
  const frequent =
    a.frequent !== undefined && b.frequent !== undefined ? a.frequent.merge(b.frequent) : undefined;
  const lengths =
    a.lengths !== undefined && b.lengths !== undefined
      ? {
          min: nullableExtreme(a.lengths.min, b.lengths.min, Math.min),
          max: nullableExtreme(a.lengths.max, b.lengths.max, Math.max),
          sum: a.lengths.sum + b.lengths.sum,
        }
      : undefined;
  return {
    ...merged,
    ...(numeric === undefined ? {} : { numeric }),
    ...(frequent === undefined ? {} : { frequent }),
    ...(lengths === undefined ? {} : { lengths }),
  };
}

function mergeNumeric(a: NumericSummary, b: NumericSummary): NumericSummary {
  // Order the operands canonically so merge(a, b) and merge(b, a) round identically.
  const [x, y] = a.n > b.n || (a.n === b.n && a.mean <= b.mean) ? [a, b] : [b, a];
  const moments = chanMerge(x.n, x.mean, x.m2, y.n, y.mean, y.m2);
  return {
    n: moments.n,
    min: nullableExtreme(a.min, b.min, Math.min),
    max: nullableExtreme(a.max, b.max, Math.max),
    mean: moments.mean,
    m2: saturate(moments.m2),
    sketch: a.sketch.merge(b.sketch),
  };
}

function nullableExtreme(
  a: number | null,
  b: number | null,
  pick: (x: number, y: number) => number,
): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return pick(a, b);
}
