/** The data a profile holds: one summary per column, mergeable and bounded in memory. */
import type { ColumnType } from '../table/batch.js';
import type { FrequentItems } from './frequent.js';
import type { HyperLogLog } from './hll.js';
import type { QuantileSketch } from './quantile-sketch.js';

/** The `format` field of a serialised profile. */
export const PROFILE_FORMAT = 'rampart.profile/v1';

/** Summary statistics of the finite values of a numeric column. */
export interface NumericSummary {
  /** Number of finite values (the population of every other field here). */
  readonly n: number;
  /** Exact minimum and maximum, null when there is no finite value. */
  readonly min: number | null;
  readonly max: number | null;
  /** Mean and sum of squared deviations (Welford/Chan), 0 when n is 0. */
  readonly mean: number;
  readonly m2: number;
  /** Quantile sketch of the finite values. */
  readonly sketch: QuantileSketch;
}

/** Length statistics of the present values of a string column, in UTF-16 code units. */
export interface LengthSummary {
  readonly min: number | null;
  readonly max: number | null;
  readonly sum: number;
}

/** One column's profile. Counts cover every row the column was seen in. */
export interface ColumnProfile {
  readonly name: string;
  readonly type: ColumnType;
  /** Rows seen. */
  readonly count: number;
  /** Missing cells (null, empty, absent). */
  readonly missing: number;
  /** Present cells that did not parse as the column's type. */
  readonly invalid: number;
  /** Present NaN and ±Infinity values (numeric columns; 0 otherwise). */
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
  /** Distinct present values (NaN excluded): a HyperLogLog sketch. */
  readonly distinct: HyperLogLog;
  /** Numeric columns only. */
  readonly numeric?: NumericSummary;
  /** String and boolean columns only ("true"/"false" for booleans). */
  readonly frequent?: FrequentItems;
  /** String columns only. */
  readonly lengths?: LengthSummary;
}

/** A dataset profile: row count and the columns in source order. */
export interface DatasetProfile {
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
}

/** Present (non-missing, non-invalid) cells of a column. */
export function presentCount(column: ColumnProfile): number {
  return column.count - column.missing - column.invalid;
}
