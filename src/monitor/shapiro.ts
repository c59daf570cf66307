/**
 * The Shapiro–Wilk W test of normality, after Royston's Remark AS R94 (Applied Statistics 44,
 * 1995): approximate coefficients from normal order statistics, W as the squared correlation of
 * the sorted sample with them, and the p-value from Royston's normalising transformations.
 * Uncensored samples only, which is all PRADA needs.
 */
import { RampartError } from '../core/index.js';

/** W and its p-value; `n` is the sample size tested. */
export interface ShapiroResult {
  readonly w: number;
  readonly pValue: number;
  readonly n: number;
}

/** AS R94 is calibrated for 3 ≤ n ≤ 5000; larger samples are refused rather than mis-scored. */
export const SHAPIRO_MAX_N = 5000;

// Polynomial coefficients of AS R94, lowest power first.
const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056];
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
const C3 = [0.544, -0.39978, 0.025054, -6.714e-4];
const C4 = [1.3822, -0.77857, 0.062767, -0.0020322];
const C5 = [-1.5861, -0.31082, -0.083751, 0.0038915];
const C6 = [-0.4803, -0.082676, 0.0030302];
const G = [-2.273, 0.459];
// R94 reports this p-value when W is at the edge of its small-sample range.
const SMALL = 1e-19;

/**
 * Shapiro–Wilk W and p-value of `sample` (any order; not modified).
 * @throws RAMPART_MONITOR_INVALID when the sample has fewer than 3 or more than 5000 values,
 * a non-finite value, or zero range.
 */
export function shapiroWilk(sample: ArrayLike<number>): ShapiroResult {
  const n = sample.length;
  if (n < 3 || n > SHAPIRO_MAX_N) {
    throw invalid(`Shapiro–Wilk needs 3 to ${SHAPIRO_MAX_N} values, got ${n}`);
  }
  const x = Float64Array.from(sample).sort();
  const first = x[0] ?? 0;
  const last = x[n - 1] ?? 0;
  if (!Number.isFinite(first) || !Number.isFinite(last)) {
    throw invalid('Shapiro–Wilk was given a non-finite value');
  }
  // Centring on the median and scaling by the range keeps the sums well conditioned.
  const median = x[n >> 1] ?? 0;
  const range = last - first;
  if (range < 1e-19 * Math.max(1, Math.abs(median))) {
    throw invalid('Shapiro–Wilk was given a sample with zero range');
  }
  const half = coefficients(n);
  let sx = 0;
  for (let i = 0; i < n; i++) sx += ((x[i] as number) - median) / range;
  sx /= n;
  // Σa = 0 by antisymmetry, so the centred coefficients are the coefficients themselves.
  let ssa = 0;
  let ssx = 0;
  let sax = 0;
  for (let i = 0; i < n; i++) {
    const j = n - 1 - i;
    const a = i < j ? -(half[i] as number) : i > j ? (half[j] as number) : 0;
    const xi = ((x[i] as number) - median) / range - sx;
    ssa += a * a;
    ssx += xi * xi;
    sax += a * xi;
  }
  const root = Math.sqrt(ssa * ssx);
  // 1 − W computed as a product keeps its digits when W is close to 1.
  const w1 = ((root - sax) * (root + sax)) / (ssa * ssx);
  const w = 1 - w1;
  return { w, pValue: pValue(w, w1, n), n };
}

// PRADA tests similar sizes over and over; the coefficients depend on n alone.
const cache = new Map<number, Float64Array>();
const CACHE_SIZE = 64;

/** The upper half of the antisymmetric coefficient vector (a_n, a_{n−1}, …), positive. */
function coefficients(n: number): Float64Array {
  let half = cache.get(n);
  if (half === undefined) {
    half = computeCoefficients(n);
    const oldest = cache.keys().next();
    if (cache.size >= CACHE_SIZE && oldest.done !== true) cache.delete(oldest.value);
    cache.set(n, half);
  }
  return half;
}

function computeCoefficients(n: number): Float64Array {
  const half = new Float64Array(n >> 1);
  if (n === 3) {
    half[0] = Math.SQRT1_2;
    return half;
  }
  const an25 = n + 0.25;
  let summ2 = 0;
  const m = new Float64Array(half.length);
  for (let i = 0; i < half.length; i++) {
    const v = normalQuantile((i + 1 - 0.375) / an25);
    m[i] = v;
    summ2 += v * v;
  }
  summ2 *= 2;
  const ssumm2 = Math.sqrt(summ2);
  const rsn = 1 / Math.sqrt(n);
  const m0 = m[0] as number;
  const a1 = poly(C1, rsn) - m0 / ssumm2;
  let start: number;
  let fac: number;
  if (n > 5) {
    const m1 = m[1] as number;
    const a2 = -m1 / ssumm2 + poly(C2, rsn);
    fac = Math.sqrt((summ2 - 2 * m0 * m0 - 2 * m1 * m1) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
    half[1] = a2;
    start = 2;
  } else {
    fac = Math.sqrt((summ2 - 2 * m0 * m0) / (1 - 2 * a1 * a1));
    start = 1;
  }
  half[0] = a1;
  // m_i < 0 in the lower half, so −m_i/fac is the positive upper-half coefficient.
  for (let i = start; i < half.length; i++) half[i] = -(m[i] as number) / fac;
  return half;
}

function pValue(w: number, w1: number, n: number): number {
  if (n === 3) {
    // Exact for n = 3; W ≥ 0.75 in theory, and rounding below it means p = 0.
    if (w < 0.75) return 0;
    return Math.max(0, 1 - (6 / Math.PI) * Math.acos(Math.sqrt(w)));
  }
  let y = Math.log(w1);
  let mean: number;
  let sd: number;
  if (n <= 11) {
    const gamma = poly(G, n);
    if (y >= gamma) return SMALL;
    y = -Math.log(gamma - y);
    mean = poly(C3, n);
    sd = Math.exp(poly(C4, n));
  } else {
    const ln = Math.log(n);
    mean = poly(C5, ln);
    sd = Math.exp(poly(C6, ln));
  }
  return normalUpperTail((y - mean) / sd);
}

function poly(c: readonly number[], x: number): number {
  let r = 0;
  for (let i = c.length - 1; i >= 0; i--) r = r * x + (c[i] as number);
  return r;
}

/** Normal quantile by Beasley–Springer (AS 111), the approximation AS R94 pairs with. */
export function normalQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.42) {
    const r = q * q;
    return (
      (q * (((-25.44106049637 * r + 41.39119773534) * r - 18.61500062529) * r + 2.50662823884)) /
      ((((3.13082909833 * r - 21.06224101826) * r + 23.08336743743) * r - 8.4735109309) * r + 1)
    );
  }
  const tail = q > 0 ? 1 - p : p;
  if (tail <= 0) return q > 0 ? Infinity : -Infinity;
  const r = Math.sqrt(-Math.log(tail));
  const v =
    (((2.32121276858 * r + 4.85014127135) * r - 2.29796479134) * r - 2.78718931138) /
    ((1.63706781897 * r + 3.54388924762) * r + 1);
  return q < 0 ? -v : v;
}

/** Upper tail of the standard normal, Hill's AS 66 with the extended range AS R94 uses. */
export function normalUpperTail(x: number): number {
  let z = x;
  let upper = true;
  if (!(z > 0)) {
    upper = false;
    z = -z;
  }
  if (!(z <= 7 || (upper && z <= 38))) return upper ? 0 : 1;
  const y = 0.5 * z * z;
  let tail: number;
  if (z <= 1.28) {
    tail =
      0.5 -
      z *
        (0.398942280444 -
          (0.399903438504 * y) /
            (y +
              5.75885480458 -
              29.8213557808 / (y + 2.62433121679 + 48.6959930692 / (y + 5.92885724438))));
  } else {
    tail =
      (0.398942280385 * Math.exp(-y)) /
      (z -
        3.8052e-8 +
        1.00000615302 /
          (z +
            3.98064794e-4 +
            1.98615381364 /
              (z -
                0.151679116635 +
                5.29330324926 /
                  (z +
                    4.8385912808 -
                    15.1508972451 / (z + 0.742380924027 + 30.789933034 / (z + 3.99019417011))))));
  }
  return upper ? tail : 1 - tail;
}

function invalid(message: string): RampartError {
  return new RampartError('RAMPART_MONITOR_INVALID', message, {
    hint: 'Pass between 3 and 5000 finite values that are not all equal.',
  });
}
