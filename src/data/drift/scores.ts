// Evidently's binned distance stattests (jensenshannon, psi, kl_div, hellinger) as scores.
import type { BinnedShares, ColumnKind } from './distance.js';
import {
  binShares,
  histogramCounts,
  jensenShannon,
  klDivergence,
  sturgesEdges,
} from './distance.js';
import type { Category, TestResult } from './result.js';
import { countValues, dropNaN, unionKeys } from './result.js';

function sizes(
  reference: readonly Category[],
  current: readonly Category[],
): { n_reference: number; n_current: number } {
  let a = 0;
  let b = 0;
  for (const c of countValues(reference).values()) a += c;
  for (const c of countValues(current).values()) b += c;
  return { n_reference: a, n_current: b };
}

function emptyResult(n: { n_reference: number; n_current: number }): TestResult | undefined {
  return n.n_reference === 0 || n.n_current === 0
    ? { statistic: 0, ...n, degenerate: 'empty' }
    : undefined;
}

// The scores computed on binned shares: sizes, the empty case, then the score of the bins.
function binnedScore(
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
  zeroFill: boolean,
  score: (bins: BinnedShares) => number,
): TestResult {
  const n = sizes(reference, current);
  return (
    emptyResult(n) ?? { statistic: score(binShares(reference, current, kind, zeroFill)), ...n }
  );
}

/** Evidently's `jensenshannon`: JS distance (natural log) of the binned shares, no zero-filling. */
export function jensenShannonDrift(
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
): TestResult {
  return binnedScore(reference, current, kind, false, (bins) =>
    jensenShannon(bins.reference, bins.current),
  );
}

/** Evidently's `psi`: Σ (r − c) · ln(r / c) over zero-filled binned shares. */
export function psiDrift(
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
): TestResult {
  return binnedScore(reference, current, kind, true, (bins) => {
    let psi = 0;
    bins.reference.forEach((r, i) => {
      const c = bins.current[i] as number;
      psi += (r - c) * Math.log(r / c);
    });
    return psi;
  });
}

/** Evidently's `kl_div`: scipy.stats.entropy(reference shares, current shares), zero-filled. */
export function klDivDrift(
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
): TestResult {
  return binnedScore(reference, current, kind, true, (bins) =>
    klDivergence(bins.reference, bins.current),
  );
}

/**
 * Evidently's `hellinger`: categorical sqrt(1 − Σ √(p·q)) over value shares; numerical on a
 * Sturges density histogram of the distinct pooled values, Σ √(h1·h2) × bin width. Computed as
 * the equal sqrt(½ Σ (√p − √q)²): the same value without the cancellation of 1 − Σ √(p·q), so
 * identical distributions score exactly 0 and the score is symmetric to rounding.
 */
export function hellingerDrift(
  reference: readonly Category[],
  current: readonly Category[],
  kind: ColumnKind,
): TestResult {
  const n = sizes(reference, current);
  const empty = emptyResult(n);
  if (empty) return empty;
  const refCounts = countValues(reference);
  const curCounts = countValues(current);
  const keys = unionKeys(refCounts, curCounts);
  let squares = 0;
  if (kind === 'categorical') {
    for (const k of keys) {
      const gap =
        Math.sqrt((refCounts.get(k) ?? 0) / n.n_reference) -
        Math.sqrt((curCounts.get(k) ?? 0) / n.n_current);
      squares += gap * gap;
    }
  } else {
    const edges = sturgesEdges(keys as number[]);
    const h1 = density(histogramCounts(dropNaN(reference as number[]), edges), edges);
    const h2 = density(histogramCounts(dropNaN(current as number[]), edges), edges);
    const width = ((edges[edges.length - 1] as number) - (edges[0] as number)) / (edges.length - 1);
    h1.forEach((p, i) => {
      const gap = Math.sqrt(p) - Math.sqrt(h2[i] as number);
      squares += gap * gap * width;
    });
  }
  return { statistic: Math.sqrt(Math.min(1, Math.max(0, squares / 2))), ...n };
}

// numpy.histogram(density=True): counts / bin width / total.
function density(counts: Float64Array, edges: Float64Array): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c, i) => c / ((edges[i + 1] as number) - (edges[i] as number)) / total);
}
