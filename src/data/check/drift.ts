/**
 * Column drift between a reference and a current table, in two modes:
 * - `evidently`: Evidently's default test per column, its thresholds and its dataset rule
 *   (data-drift.md §2), so the numbers match Evidently's;
 * - `strict` (default): a hypothesis test per column with Benjamini–Hochberg correction across
 *   columns, and drift only when the corrected test is significant AND the effect is large
 *   enough to matter — at a million rows every test is "significant", and at twenty columns
 *   one false alarm in three checks is expected without a correction.
 */
import {
  chiSquareDrift,
  contingencyDrift,
  jensenShannonDrift,
  ks2samp,
  normedWasserstein,
  zTestDrift,
  type Category,
  type TestResult,
} from '../drift/index.js';
import type { CollectedColumn, CollectedTable } from './collect.js';
import { columnChart, type ColumnChart } from './chart.js';
import {
  decideStrict,
  driftReport,
  STRICT_CRAMER_V,
  STRICT_Q,
  STRICT_WASSERSTEIN,
} from './strict.js';

/** The drift modes of `data check`. */
export type DriftMode = 'evidently' | 'strict';

/** One column's verdict. `score` and `threshold` are what `drifted` was decided on. */
export interface ColumnDrift {
  readonly name: string;
  readonly type: 'numerical' | 'categorical';
  readonly test: string;
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** The raw p-value of a hypothesis test (before correction, in strict mode). */
  readonly p_value?: number;
  /** Strict mode: the effect size that must also cross its threshold. */
  readonly effect?: {
    readonly measure: string;
    readonly value: number;
    readonly threshold: number;
  };
  readonly n_reference: number;
  readonly n_current: number;
  /** Why this test was chosen, e.g. "reference > 1000 rows, 37 distinct values". */
  readonly reason: string;
  readonly chart: ColumnChart;
}

/** The drift section of a check. */
export interface DriftReport {
  readonly mode: DriftMode;
  readonly correction: 'none' | 'bh';
  readonly columns: readonly ColumnDrift[];
  /** Columns not compared, and why (only on one side, or of different types). */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  readonly share_drifted: number;
  readonly drift_share: number;
  readonly dataset_drifted: boolean;
}

/** Options of {@link compareTables}. */
export interface DriftOptions {
  readonly mode?: DriftMode | undefined;
  /** Dataset drift when the share of drifted columns is at least this (Evidently: 0.5). */
  readonly driftShare?: number | undefined;
  /** Columns to leave out (e.g. an id). */
  readonly ignore?: readonly string[] | undefined;
}

const EVIDENTLY_SMALL = 1000;

/** Compares every column present on both sides. */
export function compareTables(
  reference: CollectedTable,
  current: CollectedTable,
  options: DriftOptions = {},
): DriftReport {
  const mode = options.mode ?? 'strict';
  const ignore = new Set(options.ignore ?? []);
  const columns: ColumnDrift[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const [name, ref] of reference.columns) {
    if (ignore.has(name)) continue;
    const cur = current.columns.get(name);
    if (cur === undefined) skipped.push({ name, reason: 'not in the current data' });
    else if (isNumeric(ref) !== isNumeric(cur))
      skipped.push({ name, reason: `type ${ref.type} in the reference, ${cur.type} now` });
    else
      columns.push(
        mode === 'evidently' ? evidentlyColumn(ref, cur, reference.rows) : strictColumn(ref, cur),
      );
  }
  for (const name of current.columns.keys()) {
    if (!reference.columns.has(name) && !ignore.has(name))
      skipped.push({ name, reason: 'not in the reference data' });
  }
  const decided = mode === 'strict' ? decideStrict(columns) : columns;
  return driftReport(mode, decided, skipped, options.driftShare);
}

const isNumeric = (c: CollectedColumn) => c.numbers !== undefined;
const valuesOf = (c: CollectedColumn): readonly Category[] =>
  c.categories ?? Array.from(c.numbers ?? []);

function distinct(a: CollectedColumn, b: CollectedColumn): number {
  if (a.numbers !== undefined && b.numbers !== undefined) {
    return distinctSorted(ascending(a.numbers), ascending(b.numbers));
  }
  const seen = new Set<Category>();
  for (const side of [a, b]) {
    if (side.numbers !== undefined) for (const v of side.numbers) seen.add(v);
    else for (const v of side.categories ?? []) seen.add(v);
  }
  return seen.size;
}

// collectTable and live-drift windows sort their columns; a table built by hand may not.
function ascending(values: Float64Array): Float64Array {
  for (let i = 1; i < values.length; i++) {
    if ((values[i - 1] as number) > (values[i] as number)) return values.slice().sort();
  }
  return values;
}

// Distinct values of two ascending arrays, merged in one pass (no Set of a million numbers).
function distinctSorted(x: Float64Array, y: Float64Array): number {
  let i = 0;
  let j = 0;
  let count = 0;
  let last = Number.NaN;
  while (i < x.length || j < y.length) {
    const a = i < x.length ? (x[i] as number) : Infinity;
    const b = j < y.length ? (y[j] as number) : Infinity;
    let v: number;
    if (j >= y.length || (i < x.length && a <= b)) {
      v = a;
      i++;
    } else {
      v = b;
      j++;
    }
    if (v !== last) {
      count++;
      last = v;
    }
  }
  return count;
}

// Evidently's `_get_default_stattest` and each test's default threshold and drift rule (§2.1–2.2).
function evidentlyColumn(
  ref: CollectedColumn,
  cur: CollectedColumn,
  referenceRows: number,
): ColumnDrift {
  const nValues = distinct(ref, cur);
  const small = referenceRows <= EVIDENTLY_SMALL;
  const type = isNumeric(ref) ? 'numerical' : 'categorical';
  const chosen = evidentlyTest(ref, cur, type, small, nValues);
  const { result, threshold } = chosen;
  // Hypothesis tests drift below their threshold (KS at it too); distances at or above theirs.
  const score = result.p_value ?? result.statistic;
  const drifted =
    result.p_value === undefined
      ? score >= threshold
      : chosen.test === 'ks'
        ? score <= threshold
        : score < threshold;
  return {
    name: ref.name,
    type,
    test: chosen.test,
    score,
    threshold,
    drifted,
    ...(result.p_value === undefined ? {} : { p_value: result.p_value }),
    ...sizes(result),
    reason: `reference ${small ? '≤' : '>'} ${EVIDENTLY_SMALL} rows, ${nValues} distinct values`,
    chart: columnChart(ref, cur),
  };
}

function evidentlyTest(
  ref: CollectedColumn,
  cur: CollectedColumn,
  type: 'numerical' | 'categorical',
  small: boolean,
  nValues: number,
): { test: string; result: TestResult; threshold: number } {
  if (isNumeric(ref) && nValues > 5) {
    const a = ref.numbers ?? [];
    const b = cur.numbers ?? [];
    return small
      ? { test: 'ks', result: ks2samp(a, b), threshold: 0.05 }
      : { test: 'wasserstein', result: normedWasserstein(a, b), threshold: 0.1 };
  }
  const a = valuesOf(ref);
  const b = valuesOf(cur);
  if (!small)
    return { test: 'jensenshannon', result: jensenShannonDrift(a, b, type), threshold: 0.1 };
  return nValues > 2
    ? { test: 'chisquare', result: chiSquareDrift(a, b), threshold: 0.05 }
    : { test: 'z', result: zTestDrift(a, b), threshold: 0.05 };
}

// Strict: KS or a contingency chi-square, with an effect size; BH decides significance later.
function strictColumn(ref: CollectedColumn, cur: CollectedColumn): ColumnDrift {
  const nValues = distinct(ref, cur);
  const chart = columnChart(ref, cur);
  if (isNumeric(ref) && nValues > 5) {
    const r = ks2samp(ref.numbers ?? [], cur.numbers ?? []);
    const w = normedWasserstein(ref.numbers ?? [], cur.numbers ?? []);
    return {
      name: ref.name,
      type: 'numerical',
      test: 'ks',
      score: r.p_value,
      threshold: STRICT_Q,
      drifted: false,
      p_value: r.p_value,
      effect: { measure: 'wasserstein_normed', value: w.statistic, threshold: STRICT_WASSERSTEIN },
      ...sizes(r),
      reason: `numerical, ${nValues} distinct values; KS ${r.method}`,
      chart,
    };
  }
  const r = contingencyDrift(valuesOf(ref), valuesOf(cur));
  const n = r.n_reference + r.n_current;
  const cramer = n === 0 ? 0 : Math.sqrt(r.statistic / n);
  return {
    name: ref.name,
    type: isNumeric(ref) ? 'numerical' : 'categorical',
    test: 'chisquare_contingency',
    score: r.p_value,
    threshold: STRICT_Q,
    drifted: false,
    p_value: r.p_value,
    effect: { measure: 'cramers_v', value: cramer, threshold: STRICT_CRAMER_V },
    ...sizes(r),
    reason: `${nValues} distinct values; 2×k contingency table`,
    chart,
  };
}

const sizes = (r: { n_reference: number; n_current: number }) => ({
  n_reference: r.n_reference,
  n_current: r.n_current,
});
