/**
 * Two-sample statistics from quantile sketches. Both sides' DDSketches use the same value→bin
 * mapping, so a bin boundary is a boundary on both sides and each side's CDF there is exact:
 * the KS statistic evaluated at the union of bin boundaries is the KS statistic of the
 * binned values, which never exceeds the exact one. The exact D exceeds it by at most the
 * largest single-bin share of either side. Where a side's bins may have collapsed (its store
 * spans the full bin limit), its CDF is uncertain by the collapsed bin's share at the points
 * that bin swallowed, and that share is subtracted there (the "2ε" correction) so sketch error
 * alone never makes drift.
 */
import { SKETCH_BIN_LIMIT, valueOfKey, type Bins } from '../profile/quantile-sketch.js';
import { SKETCH_RELATIVE_ACCURACY, type ColumnProfile } from '../profile/index.js';

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
// Slot positions: a total order over (−∞, negative bins, zero, positive bins, +∞).
const NEG_INF = -1e8;
const NEG_BASE = -1e7;
const POS_BASE = 1e7;
const POS_INF = 1e8;

/** One bin of a column's sketch, placed in value order, with the values it can hold. */
export interface SketchSlot {
  readonly position: number;
  readonly count: number;
  /** The interval of values the bin holds, clamped to the column's exact min/max. */
  readonly low: number;
  readonly high: number;
}

/** Evaluation points whose CDF is uncertain by `count` (points p with from ≤ p < to). */
interface Uncertain {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** A column's distribution as sketch slots in value order (±∞ included as end slots). */
export interface SketchDistribution {
  readonly slots: readonly SketchSlot[];
  readonly total: number;
  /** Finite values only (the population of the Wasserstein distance). */
  readonly finite: number;
  readonly uncertain: readonly Uncertain[];
}

// The upper boundary of bin `key`: valueOfKey scales the boundary to the bin's middle.
const upper = (key: number) => (valueOfKey(key) * (1 + GAMMA)) / 2;

/** The slots of a numeric column's profile. */
export function sketchDistribution(column: ColumnProfile): SketchDistribution {
  const numeric = column.numeric;
  if (numeric === undefined || numeric.min === null || numeric.max === null) {
    const infinite = column.negInf + column.posInf;
    return { slots: infiniteSlots(column), total: infinite, finite: 0, uncertain: [] };
  }
  const { min, max, sketch } = numeric;
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  const slots: SketchSlot[] = [];
  const uncertain: Uncertain[] = [];
  const negative = sketch.negative.bins();
  const negCollapsed = mayHaveCollapsed(negative);
  for (let i = negative.counts.length - 1; i >= 0; i--) {
    const count = negative.counts[i] ?? 0;
    const key = negative.offset + i;
    const inner = i === 0 && negCollapsed ? 0 : -upper(key - 1);
    if (count > 0)
      slots.push({ position: NEG_BASE - key, count, low: clamp(-upper(key)), high: clamp(inner) });
  }
  if (negCollapsed) {
    // The lowest-magnitude bin swallowed every smaller magnitude: it is counted too early.
    uncertain.push({ from: NEG_BASE - negative.offset, to: 0, count: negative.counts[0] ?? 0 });
  }
  if (sketch.zero > 0) slots.push({ position: 0, count: sketch.zero, low: 0, high: 0 });
  const positive = sketch.positive.bins();
  const posCollapsed = mayHaveCollapsed(positive);
  positive.counts.forEach((count, i) => {
    const key = positive.offset + i;
    const inner = i === 0 && posCollapsed ? 0 : upper(key - 1);
    if (count > 0)
      slots.push({ position: POS_BASE + key, count, low: clamp(inner), high: clamp(upper(key)) });
  });
  if (posCollapsed) {
    // Smaller magnitudes were folded into the lowest bin: counted too late.
    uncertain.push({ from: 1, to: POS_BASE + positive.offset, count: positive.counts[0] ?? 0 });
  }
  const all = [...negInfSlot(column), ...slots, ...posInfSlot(column)];
  return {
    slots: all,
    total: numeric.n + column.negInf + column.posInf,
    finite: numeric.n,
    uncertain,
  };
}

// A store spanning the whole bin limit may have folded its lowest keys (see quantile-sketch.ts).
const mayHaveCollapsed = (bins: Bins) => bins.counts.length >= SKETCH_BIN_LIMIT;

const negInfSlot = (c: ColumnProfile): SketchSlot[] =>
  c.negInf > 0 ? [{ position: NEG_INF, count: c.negInf, low: -Infinity, high: -Infinity }] : [];
const posInfSlot = (c: ColumnProfile): SketchSlot[] =>
  c.posInf > 0 ? [{ position: POS_INF, count: c.posInf, low: Infinity, high: Infinity }] : [];
const infiniteSlots = (c: ColumnProfile) => [...negInfSlot(c), ...posInfSlot(c)];

/** The KS statistic from two sketches and what is known about the exact one. */
export interface SketchKs {
  /** D after subtracting the sketches' rank uncertainty: never above the exact D. */
  readonly statistic: number;
  /** max |F_ref − F_cur| over the union of bin boundaries, before the correction. */
  readonly raw: number;
  /** The exact D lies in [statistic, raw + bound]: the largest single-bin share of either side. */
  readonly bound: number;
}

/** KS distance between two sketched distributions (both non-empty). */
export function sketchKs(ref: SketchDistribution, cur: SketchDistribution): SketchKs {
  let i = 0;
  let j = 0;
  let seenRef = 0;
  let seenCur = 0;
  let raw = 0;
  let corrected = 0;
  let bound = 0;
  const { slots: a, total: na } = ref;
  const { slots: b, total: nb } = cur;
  while (i < a.length || j < b.length) {
    const pa = a[i]?.position ?? Infinity;
    const pb = b[j]?.position ?? Infinity;
    const at = Math.min(pa, pb);
    if (pa === at) {
      const count = a[i++]?.count ?? 0;
      seenRef += count;
      bound = Math.max(bound, count / na);
    }
    if (pb === at) {
      const count = b[j++]?.count ?? 0;
      seenCur += count;
      bound = Math.max(bound, count / nb);
    }
    const diff = Math.abs(seenRef / na - seenCur / nb);
    const epsilon = uncertainty(ref.uncertain, at) / na + uncertainty(cur.uncertain, at) / nb;
    raw = Math.max(raw, diff);
    corrected = Math.max(corrected, diff - epsilon);
  }
  return { statistic: Math.max(0, corrected), raw, bound };
}

function uncertainty(ranges: readonly Uncertain[], at: number): number {
  let sum = 0;
  for (const r of ranges) if (at >= r.from && at < r.to) sum += r.count;
  return sum;
}

/**
 * ∫|Q_ref − Q_cur| dq over the finite values, each bin's mass spread evenly over its interval
 * (so the quantile functions are piecewise linear and the integral is exact for them). The
 * error against the exact Wasserstein distance is at most Σ share × bin width on each side.
 */
export function sketchWasserstein(ref: SketchDistribution, cur: SketchDistribution): number {
  const a = pieces(ref);
  const b = pieces(cur);
  if (a.length === 0 || b.length === 0) return NaN;
  let i = 0;
  let j = 0;
  let q = 0;
  let area = 0;
  while (i < a.length && j < b.length) {
    const pa = a[i] as Piece;
    const pb = b[j] as Piece;
    const end = Math.min(pa.q1, pb.q1);
    if (end > q) {
      const d0 = at(pa, q) - at(pb, q);
      const d1 = at(pa, end) - at(pb, end);
      const width = end - q;
      area +=
        d0 * d1 >= 0
          ? ((Math.abs(d0) + Math.abs(d1)) / 2) * width
          : ((d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)))) * width;
      q = end;
    }
    if (pa.q1 <= end) i++;
    if (pb.q1 <= end) j++;
  }
  return area;
}

interface Piece {
  readonly q0: number;
  readonly q1: number;
  readonly low: number;
  readonly high: number;
}

function pieces(d: SketchDistribution): Piece[] {
  const out: Piece[] = [];
  let seen = 0;
  for (const slot of d.slots) {
    if (!Number.isFinite(slot.low)) continue;
    const q0 = seen / d.finite;
    seen += slot.count;
    // The last piece ends at exactly 1 so both sides' pieces cover [0, 1].
    const q1 = seen >= d.finite ? 1 : seen / d.finite;
    out.push({ q0, q1, low: slot.low, high: slot.high });
  }
  return out;
}

const at = (p: Piece, q: number) =>
  p.q1 === p.q0 ? p.high : p.low + ((p.high - p.low) * (q - p.q0)) / (p.q1 - p.q0);
