// Distance-type drift scores as Evidently computes them: normed Wasserstein, Jensen–Shannon,
// PSI, KL divergence and Hellinger, on Evidently's binning (get_binned_data) and scipy's
// formulas (wasserstein_distance, distance.jensenshannon, stats.entropy).
import type { Category, TestResult } from './result.js';
import { accurateSum, countValues, dropNaN, sortedCopy, unionKeys } from './result.js';

/** How a column's values are binned. */
export type ColumnKind = 'numerical' | 'categorical';

/** Numerical columns with more distinct reference values than this are histogrammed. */
export const HISTOGRAM_MIN_DISTINCT = 20;

/** scipy.stats.wasserstein_distance(u, v): area between the two empirical CDFs (NaN dropped). */
export function wassersteinDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = sortedCopy(dropNaN(u));
  const b = sortedCopy(dropNaN(v));
  if (a.length === 0 || b.length === 0) return Number.NaN;
  const all = new Float64Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  all.sort();
  const terms = new Float64Array(all.length - 1);
  let i = 0;
  let j = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k] as number;
    while (i < a.length && (a[i] as number) <= x) i++;
    while (j < b.length && (b[j] as number) <= x) j++;
    terms[k] = Math.abs(i / a.length - j / b.length) * ((all[k + 1] as number) - x);
  }
  return accurateSum(terms);
}

/** Population standard deviation (numpy.std, ddof 0). */
export function populationStd(values: ArrayLike<number>): number {
  const mean = accurateSum(values) / values.length;
  const sq = Float64Array.from(values, (x) => (x - mean) * (x - mean));
  return Math.sqrt(accurateSum(sq) / values.length);
}

/** Evidently's `wasserstein`: wasserstein_distance / max(std(reference), 0.001). */
export function normedWasserstein(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): TestResult {
  const ref = dropNaN(reference);
  const cur = dropNaN(current);
  const sizes = { n_reference: ref.length, n_current: cur.length };
  if (ref.length === 0 || cur.length === 0) return { statistic: 0, ...sizes, degenerate: 'empty' };
  const norm = Math.max(populationStd(ref), 0.001);
  return { statistic: wassersteinDistance(ref, cur) / norm, ...sizes };
}

/** numpy.histogram_bin_edges(values, bins='sturges'), bit for bit. */
export function sturgesEdges(values: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const width = (hi - lo) / (Math.log2(values.length) + 1);
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** numpy.histogram(values, edges)[0]: half-open bins, the last one closed. */
export function histogramCounts(values: ArrayLike<number>, edges: Float64Array): Float64Array {
  const sorted = sortedCopy(Float64Array.from(values));
  const cum = new Float64Array(edges.length);
  for (let e = 0; e < edges.length; e++) {
    cum[e] =
      e === edges.length - 1
        ? upperBound(sorted, edges[e] as number)
        : lowerBound(sorted, edges[e] as number);
  }
  const counts = new Float64Array(edges.length - 1);
  for (let b = 0; b < counts.length; b++) counts[b] = (cum[b + 1] as number) - (cum[b] as number);
  return counts;
}

/** Per-bin shares of the two samples as Evidently's get_binned_data computes them. */
export interface BinnedShares {
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/**
 * Evidently's get_binned_data: Sturges bins over reference ∪ current when the column is
 * numerical with more than 20 distinct reference values, else one bin per value; with
 * `fillZeroes`, zero shares become min(non-zero)/1e6 when that minimum is ≤ 1e-4, else 1e-4.
 */
export function binShares(
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
  fillZeroes: boolean,
): BinnedShares {
  const refCounts = countValues(reference);
  const curCounts = countValues(current);
  const nRef = sumCounts(refCounts);
  const nCur = sumCounts(curCounts);
  let ref: Float64Array;
  let cur: Float64Array;
  if (kind === 'numerical' && refCounts.size > HISTOGRAM_MIN_DISTINCT) {
    const r = dropNaN(reference as number[]);
    const c = dropNaN(current as number[]);
    const pooled = new Float64Array(r.length + c.length);
    pooled.set(r);
    pooled.set(c, r.length);
    const edges = sturgesEdges(pooled);
    ref = histogramCounts(r, edges).map((x) => x / nRef);
    cur = histogramCounts(c, edges).map((x) => x / nCur);
  } else {
    const keys = unionKeys(refCounts, curCounts);
    ref = Float64Array.from(keys, (k) => (refCounts.get(k) ?? 0) / nRef);
    cur = Float64Array.from(keys, (k) => (curCounts.get(k) ?? 0) / nCur);
  }
  if (fillZeroes) {
    fillZeroShares(ref);
    fillZeroShares(cur);
  }
  return { reference: ref, current: cur };
}

/** scipy.spatial.distance.jensenshannon(p, q, base): both normalised; natural log by default. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  const sp = accurateSum(p);
  const sq = accurateSum(q);
  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / sp;
    const qi = (q[i] as number) / sq;
    const m = (pi + qi) / 2;
    left.push(relEntr(pi, m));
    right.push(relEntr(qi, m));
  }
  let js = accurateSum(left) + accurateSum(right);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/** scipy.stats.entropy(p, q): Kullback–Leibler divergence of the normalised p from q. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const sp = accurateSum(p);
  const sq = accurateSum(q);
  const terms: number[] = [];
  for (let i = 0; i < p.length; i++)
    terms.push(relEntr((p[i] as number) / sp, (q[i] as number) / sq));
  return accurateSum(terms);
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

function fillZeroShares(shares: Float64Array): void {
  let min = Infinity;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  if (min === Infinity) return;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

function sumCounts(counts: Map<Category, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
