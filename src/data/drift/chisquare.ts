// Pearson chi-square (scipy.stats.chisquare, chi2_contingency) and Evidently's categorical
// tests: the chi-square goodness of fit against reference proportions and the pooled
// two-proportion Z-test.
import type { Category, TestResult } from './result.js';
import { countValues, unionKeys } from './result.js';
import { chi2Sf, normalCdf } from './special.js';

/** A chi-square result: statistic, p-value and degrees of freedom. */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly p_value: number;
  readonly dof: number;
}

/**
 * scipy.stats.chisquare(observed, expected): Σ (o − e)² / e with k − 1 degrees of freedom.
 * Expected defaults to the uniform mean. A zero expected count with a non-zero observation
 * gives statistic Infinity and p = 0; fewer than two categories give statistic 0, p = 1.
 */
export function chiSquareGof(
  observed: readonly number[],
  expected?: readonly number[],
): ChiSquareResult {
  const k = observed.length;
  if (k < 2) return { statistic: 0, p_value: 1, dof: Math.max(0, k - 1) };
  const mean = observed.reduce((s, o) => s + o, 0) / k;
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const o = observed[i] as number;
    const e = expected?.[i] ?? mean;
    const diff = o - e;
    // 0/0 (a category absent from both sides) contributes nothing rather than NaN.
    if (diff !== 0) stat += (diff * diff) / e;
  }
  return { statistic: stat, p_value: chi2Sf(stat, k - 1), dof: k - 1 };
}

/** Options of chiSquareContingency. */
export interface ContingencyOptions {
  /** Yates' continuity correction when dof = 1 (scipy's default: true). */
  readonly correction?: boolean;
}

/** Result of the contingency-table test, with the expected frequencies used. */
export interface ContingencyResult extends ChiSquareResult {
  readonly expected: readonly (readonly number[])[];
}

/**
 * scipy.stats.chi2_contingency(table) for a two-dimensional table of counts. Rows or columns
 * whose total is zero are dropped first (scipy raises on them; they carry no information);
 * a table with no degrees of freedom gives statistic 0, p = 1.
 */
export function chiSquareContingency(
  table: readonly (readonly number[])[],
  options: ContingencyOptions = {},
): ContingencyResult {
  const cols = Math.max(0, ...table.map((r) => r.length));
  const colTotals = Array.from({ length: cols }, (_, j) =>
    table.reduce((s, r) => s + (r[j] ?? 0), 0),
  );
  const keepCols = colTotals.flatMap((t, j) => (t > 0 ? [j] : []));
  const rows = table
    .map((r) => keepCols.map((j) => r[j] ?? 0))
    .filter((r) => r.reduce((s, v) => s + v, 0) > 0);
  const rowSums = rows.map((r) => r.reduce((s, v) => s + v, 0));
  const colSums = keepCols.map((_, j) => rows.reduce((s, r) => s + (r[j] as number), 0));
  const total = rowSums.reduce((s, v) => s + v, 0);
  const expected = rowSums.map((rs) => colSums.map((cs) => (rs * cs) / total));
  const dof = rows.length * keepCols.length - rows.length - keepCols.length + 1;
  if (dof <= 0) return { statistic: 0, p_value: 1, dof: 0, expected };
  const yates = dof === 1 && (options.correction ?? true);
  let stat = 0;
  rows.forEach((r, i) => {
    r.forEach((o, j) => {
      const e = (expected[i] as number[])[j] as number;
      let obs = o;
      if (yates) obs += Math.sign(e - o) * Math.min(0.5, Math.abs(e - o));
      stat += ((obs - e) * (obs - e)) / e;
    });
  });
  return { statistic: stat, p_value: chi2Sf(stat, dof), dof, expected };
}

/** Result of a categorical two-sample test. */
export interface CategoricalTestResult extends TestResult {
  readonly p_value: number;
}

/**
 * Evidently's `chisquare` stattest: goodness of fit of the current counts against the
 * reference counts scaled to the current size, over the union of categories.
 */
export function chiSquareDrift(
  reference: readonly Category[],
  current: readonly Category[],
): CategoricalTestResult {
  const counts = counted(reference, current);
  if ('empty' in counts) return counts.empty;
  const { ref, cur, sizes, keys } = counts;
  // scipy gives p = NaN for one category (0 degrees of freedom); Evidently then reports no
  // drift, which p = 1 states explicitly.
  if (keys.length < 2) return { statistic: 0, p_value: 1, ...sizes, degenerate: 'constant' };
  const scale = sizes.n_current / sizes.n_reference;
  const res = chiSquareGof(
    keys.map((k) => cur.get(k) ?? 0),
    keys.map((k) => (ref.get(k) ?? 0) * scale),
  );
  return { statistic: res.statistic, p_value: res.p_value, ...sizes };
}

/** Strict-mode categorical test: chi2_contingency on the 2 × k table of reference/current counts. */
export function contingencyDrift(
  reference: readonly Category[],
  current: readonly Category[],
): CategoricalTestResult {
  const counts = counted(reference, current);
  if ('empty' in counts) return counts.empty;
  const { ref, cur, sizes, keys } = counts;
  const res = chiSquareContingency([
    keys.map((k) => ref.get(k) ?? 0),
    keys.map((k) => cur.get(k) ?? 0),
  ]);
  return { statistic: res.statistic, p_value: res.p_value, ...sizes };
}

/**
 * Evidently's `z` stattest: pooled two-proportion Z for "value ≠ first sorted category",
 * p = 2(1 − Φ(|z|)); p = 1 when both sides hold the same single value.
 */
export function zTestDrift(
  reference: readonly Category[],
  current: readonly Category[],
): CategoricalTestResult {
  const counts = counted(reference, current);
  if ('empty' in counts) return counts.empty;
  const { ref, cur, sizes } = counts;
  const n1 = sizes.n_reference;
  const n2 = sizes.n_current;
  const keys = [...counts.keys].sort(compareCategories);
  if (keys.length === 1) return { statistic: 0, p_value: 1, ...sizes, degenerate: 'constant' };
  const first = keys[0] as Category;
  const p1 = (n1 - (ref.get(first) ?? 0)) / n1;
  const p2 = (n2 - (cur.get(first) ?? 0)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, p_value: 2 * (1 - normalCdf(Math.abs(z))), ...sizes };
}

/** Python's sorted() order for one type: numbers numerically, strings by code point; false < true. */
export function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : String(a);
  const sb = typeof b === 'string' ? b : String(b);
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Both sides' category counts, sizes and the union of categories; or the empty-side result. */
function counted(
  reference: readonly Category[],
  current: readonly Category[],
):
  | {
      ref: Map<Category, number>;
      cur: Map<Category, number>;
      sizes: { n_reference: number; n_current: number };
      keys: Category[];
    }
  | { empty: CategoricalTestResult } {
  const ref = countValues(reference);
  const cur = countValues(current);
  const sizes = sizesOf(ref, cur);
  if (sizes.n_reference === 0 || sizes.n_current === 0) {
    return { empty: { statistic: 0, p_value: 1, ...sizes, degenerate: 'empty' } };
  }
  return { ref, cur, sizes, keys: unionKeys(ref, cur) };
}

function sizesOf(
  ref: Map<Category, number>,
  cur: Map<Category, number>,
): { n_reference: number; n_current: number } {
  let a = 0;
  let b = 0;
  for (const c of ref.values()) a += c;
  for (const c of cur.values()) b += c;
  return { n_reference: a, n_current: b };
}
