/** The reference-vs-current distribution of a column, as shares a person can read in a chart. */
import { histogramCounts, type Category } from '../drift/index.js';
import { countValues } from '../drift/result.js';
import type { CollectedColumn } from './collect.js';

/** Bars of one column: numeric bins (edges) or the most frequent categories (plus "other"). */
export type ColumnChart =
  | {
      readonly kind: 'numeric';
      readonly edges: readonly number[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    }
  | {
      readonly kind: 'categorical';
      readonly categories: readonly string[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    };

/** Equal-width bins of a numeric chart. */
export const NUMERIC_BINS = 20;
/** Categories a chart shows before `(other)`. */
export const TOP_CATEGORIES = 12;

/** Shares per bin (numbers: 20 equal bins over both sides' range) or per top category. */
export function columnChart(ref: CollectedColumn, cur: CollectedColumn): ColumnChart {
  if (ref.numbers !== undefined && cur.numbers !== undefined) {
    return numericChart(ref.numbers, cur.numbers);
  }
  return categoricalChart(ref.categories ?? [], cur.categories ?? []);
}

function numericChart(ref: Float64Array, cur: Float64Array): ColumnChart {
  let lo = Infinity;
  let hi = -Infinity;
  for (const side of [ref, cur]) {
    for (const v of side) {
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (lo === Infinity) return { kind: 'numeric', edges: [], reference: [], current: [] };
  if (lo === hi) hi = lo + 1;
  const edges = Float64Array.from(
    { length: NUMERIC_BINS + 1 },
    (_, i) => lo + ((hi - lo) * i) / NUMERIC_BINS,
  );
  const shares = (values: Float64Array) => {
    const counts = histogramCounts(values.filter(Number.isFinite), edges);
    const total = counts.reduce((s, c) => s + c, 0);
    return Array.from(counts, (c) => (total === 0 ? 0 : c / total));
  };
  return {
    kind: 'numeric',
    edges: Array.from(edges),
    reference: shares(ref),
    current: shares(cur),
  };
}

function categoricalChart(ref: readonly Category[], cur: readonly Category[]): ColumnChart {
  const a = countValues(ref);
  const b = countValues(cur);
  const totalA = ref.length;
  const totalB = cur.length;
  const keys = [...new Set([...a.keys(), ...b.keys()])]
    .sort((x, y) => (a.get(y) ?? 0) + (b.get(y) ?? 0) - ((a.get(x) ?? 0) + (b.get(x) ?? 0)))
    .slice(0, TOP_CATEGORIES);
  const share = (counts: Map<Category, number>, total: number, key: Category) =>
    total === 0 ? 0 : (counts.get(key) ?? 0) / total;
  const reference = keys.map((k) => share(a, totalA, k));
  const current = keys.map((k) => share(b, totalB, k));
  const rest = (values: number[]) => Math.max(0, 1 - values.reduce((s, v) => s + v, 0));
  const other = keys.length < a.size || keys.length < b.size;
  return {
    kind: 'categorical',
    categories: [...keys.map(String), ...(other ? ['(other)'] : [])],
    reference: other ? [...reference, rest(reference)] : reference,
    current: other ? [...current, rest(current)] : current,
  };
}
