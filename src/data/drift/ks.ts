// Two-sample Kolmogorov–Smirnov test, two-sided, ported from scipy 1.10
// stats/_stats_py.py ks_2samp(method='auto') and the pythran kernel
// _compute_outer_prob_inside_method (Hodges 1958; Viehmann 2021 for the 1 − p recursion).
import { kolmogorovSf } from './kolmogorov.js';
import type { TestResult } from './result.js';
import { dropNaN, sortedCopy } from './result.js';

/** Largest sample size for which `auto` computes the exact p-value (scipy's MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10_000;

/** Result of the two-sample KS test; `method` says how the p-value was computed. */
export interface KsResult extends TestResult {
  readonly p_value: number;
  readonly method: 'exact' | 'asymp';
}

/**
 * Two-sided two-sample KS test as scipy.stats.ks_2samp(reference, current): statistic D and
 * p-value (exact when both samples have ≤ 10 000 values, asymptotic otherwise). NaN values
 * are dropped; an empty side gives D = 0, p = 1 and `degenerate: 'empty'`.
 */
export function ks2samp(reference: ArrayLike<number>, current: ArrayLike<number>): KsResult {
  const a = sortedCopy(dropNaN(reference));
  const b = sortedCopy(dropNaN(current));
  const n1 = a.length;
  const n2 = b.length;
  const sizes = { n_reference: n1, n_current: n2 };
  if (n1 === 0 || n2 === 0) {
    return { statistic: 0, p_value: 1, method: 'exact', ...sizes, degenerate: 'empty' };
  }
  let d = ksStatistic(a, b);
  const g = gcd(n1, n2);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactTwoSided(n1, n2, g, d);
    if (exact !== undefined)
      return { statistic: exact.d, p_value: exact.p, method: 'exact', ...sizes };
    // Like scipy, an exact computation that fails numerically falls back to asymptotic
    // with the rounded statistic.
    d = Math.round(d * (n1 / g) * n2) / ((n1 / g) * n2);
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const p = Math.min(1, Math.max(0, kolmogorovSf(roundHalfEven(en), d)));
  return { statistic: d, p_value: p, method: 'asymp', ...sizes };
}

// max |F1 − F2| over the pooled values, computed with the same divisions as scipy
// (searchsorted(side='right') / n) so D is bit-identical.
function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const v =
      j >= n2 || (i < n1 && (a[i] as number) <= (b[j] as number))
        ? (a[i] as number)
        : (b[j] as number);
    while (i < n1 && (a[i] as number) <= v) i++;
    while (j < n2 && (b[j] as number) <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const negMin = Math.min(1, Math.max(0, -minS));
  return negMin > maxS ? negMin : maxS;
}

function exactTwoSided(
  n1: number,
  n2: number,
  g: number,
  d: number,
): { d: number; p: number } | undefined {
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const dr = h / lcm;
  if (h === 0) return { d: dr, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!(p >= 0 && p <= 1)) return undefined;
  return { d: dr, p };
}

// Pr(D_{n,n} ≥ h/n) by the Horner-like alternating sum of scipy's _compute_prob_outside_square.
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

// Proportion of lattice paths from (0,0) to (m,n) that leave |x/m − y/n| < h/lcm(m,n).
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let k = minj; k < maxj; k++) A[k] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1] as number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// numpy.round rounds halves to even.
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
