/**
 * Strict-mode drift between two profiles ("streaming" mode): the same tests, correction and
 * dataset rule as compareTables in strict mode, computed from the sketches so the reference
 * can be a stored profile instead of its rows.
 * - numeric: KS from the quantile sketches (sketch-ks.ts), asymptotic Kolmogorov p-value
 *   with n = n₁n₂/(n₁+n₂), effect the normed Wasserstein distance of the sketched quantile
 *   functions; with at most five distinct values, the contingency test on the sketch bins;
 * - categorical and boolean: the 2×k contingency chi-square when both frequent-items
 *   summaries are exact, else Jensen–Shannon on the top items plus "other" (approximate,
 *   no p-value, so it stays out of the Benjamini–Hochberg family).
 */
import { chiSquareContingency, jensenShannon, kolmogorovSf } from '../drift/index.js';
import {
  distinctCount,
  histogramFromProfile,
  presentCount,
  type ColumnProfile,
  type DatasetProfile,
} from '../profile/index.js';
import { NUMERIC_BINS, TOP_CATEGORIES, type ColumnChart } from './chart.js';
import type { ColumnDrift, DriftOptions, DriftReport } from './drift.js';
import {
  decideStrict,
  driftReport,
  STRICT_CRAMER_V,
  STRICT_Q,
  STRICT_WASSERSTEIN,
} from './strict.js';
import { sketchDistribution, sketchKs, sketchWasserstein } from './sketch-ks.js';

/** Options of {@link compareProfiles}: those of compareTables but the mode (always strict). */
export type ProfileDriftOptions = Omit<DriftOptions, 'mode'>;

const JS = 0.1;

/** Compares every column present in both profiles, in strict mode with BH correction. */
export function compareProfiles(
  reference: DatasetProfile,
  current: DatasetProfile,
  options: ProfileDriftOptions = {},
): DriftReport {
  const ignore = new Set(options.ignore ?? []);
  const byName = new Map(current.columns.map((c) => [c.name, c]));
  const known = new Set(reference.columns.map((c) => c.name));
  const columns: ColumnDrift[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const ref of reference.columns) {
    if (ignore.has(ref.name)) continue;
    const cur = byName.get(ref.name);
    if (cur === undefined) skipped.push({ name: ref.name, reason: 'not in the current data' });
    else if (isNumeric(ref) !== isNumeric(cur))
      skipped.push({
        name: ref.name,
        reason: `type ${ref.type} in the reference, ${cur.type} now`,
      });
    else columns.push(isNumeric(ref) ? numericColumn(ref, cur) : categoricalColumn(ref, cur));
  }
  for (const c of current.columns) {
    if (!known.has(c.name) && !ignore.has(c.name))
      skipped.push({ name: c.name, reason: 'not in the reference data' });
  }
  return driftReport('strict', decideStrict(columns), skipped, options.driftShare);
}

const isNumeric = (c: ColumnProfile) => c.numeric !== undefined;

function numericColumn(ref: ColumnProfile, cur: ColumnProfile): ColumnDrift {
  const a = sketchDistribution(ref);
  const b = sketchDistribution(cur);
  const distinct = Math.round(ref.distinct.union(cur.distinct).estimate());
  const chart = numericChart(ref, cur);
  const base = {
    name: ref.name,
    type: 'numerical' as const,
    threshold: STRICT_Q,
    drifted: false,
    chart,
  };
  if (distinct <= 5) {
    // Few values: each lands in its own sketch bin, so the bins are the categories.
    const keys = [...new Set([...a.slots, ...b.slots].map((s) => s.position))].sort(
      (x, y) => x - y,
    );
    const counts = (slots: typeof a.slots) => {
      const map = new Map(slots.map((s) => [s.position, s.count]));
      return keys.map((k) => map.get(k) ?? 0);
    };
    return {
      ...base,
      ...contingency(counts(a.slots), counts(b.slots)),
      reason: `numerical, ~${distinct} distinct values; 2×k contingency table on the sketch bins`,
    };
  }
  const sizes = { n_reference: a.total, n_current: b.total };
  if (a.total === 0 || b.total === 0) {
    return { ...base, test: 'ks', score: 1, p_value: 1, ...sizes, reason: 'no values on one side' };
  }
  const ks = sketchKs(a, b);
  const n = Math.max(1, Math.round((a.total * b.total) / (a.total + b.total)));
  const p = Math.min(1, Math.max(0, kolmogorovSf(n, ks.statistic)));
  const numeric = ref.numeric;
  const std = numeric === undefined || numeric.n === 0 ? 0 : Math.sqrt(numeric.m2 / numeric.n);
  const w = sketchWasserstein(a, b) / Math.max(std, 0.001);
  return {
    ...base,
    test: 'ks',
    score: p,
    p_value: p,
    effect: {
      measure: 'wasserstein_normed',
      value: Number.isFinite(w) ? w : 0,
      threshold: STRICT_WASSERSTEIN,
    },
    ...sizes,
    reason: `numerical, ~${distinct} distinct values; KS from quantile sketches, D = ${ks.statistic.toPrecision(4)} (exact D ≤ ${(ks.raw + ks.bound).toPrecision(4)}), asymptotic`,
  };
}

function categoricalColumn(ref: ColumnProfile, cur: ColumnProfile): ColumnDrift {
  const a = ref.frequent;
  const b = cur.frequent;
  const keys = [...new Set([...(a?.items() ?? []), ...(b?.items() ?? [])].map(([v]) => v))];
  const countsOf = (side: typeof a) => keys.map((k) => side?.count(k) ?? 0);
  const nRef = presentCount(ref);
  const nCur = presentCount(cur);
  const chart = categoricalChart(ref, cur, keys);
  const base = { name: ref.name, type: 'categorical' as const, drifted: false, chart };
  const distinct = `${keys.length} distinct values`;
  if (a?.exact === true && b?.exact === true) {
    return {
      ...base,
      threshold: STRICT_Q,
      ...contingency(countsOf(a), countsOf(b)),
      reason: `${distinct}; 2×k contingency table on exact frequent items`,
    };
  }
  // Beyond the summary's capacity the counts are lower bounds: compare shares, top items + other.
  const shares = (side: typeof a, total: number) => {
    const held = countsOf(side).map((c) => (total === 0 ? 0 : c / total));
    return [...held, Math.max(0, 1 - held.reduce((s, v) => s + v, 0))];
  };
  const js = nRef === 0 || nCur === 0 ? 0 : jensenShannon(shares(a, nRef), shares(b, nCur));
  return {
    ...base,
    test: 'jensenshannon',
    score: js,
    threshold: JS,
    n_reference: nRef,
    n_current: nCur,
    reason: `~${distinctCount(ref)} distinct values, over the frequent-items capacity: approximate, Jensen–Shannon on the top ${keys.length} items + other`,
  };
}

function contingency(ref: readonly number[], cur: readonly number[]) {
  const r = chiSquareContingency([ref, cur]);
  const nRef = ref.reduce((s, v) => s + v, 0);
  const nCur = cur.reduce((s, v) => s + v, 0);
  const n = nRef + nCur;
  return {
    test: 'chisquare_contingency',
    score: r.p_value,
    p_value: r.p_value,
    effect: {
      measure: 'cramers_v',
      value: n === 0 ? 0 : Math.sqrt(r.statistic / n),
      threshold: STRICT_CRAMER_V,
    },
    n_reference: nRef,
    n_current: nCur,
  };
}

function numericChart(ref: ColumnProfile, cur: ColumnProfile): ColumnChart {
  const sides = [ref.numeric, cur.numeric].filter((n) => n !== undefined && n.min !== null);
  if (sides.length < 2) return { kind: 'numeric', edges: [], reference: [], current: [] };
  const lo = Math.min(...sides.map((n) => n?.min ?? Infinity));
  let hi = Math.max(...sides.map((n) => n?.max ?? -Infinity));
  if (lo === hi) hi = lo + 1;
  const edges = Array.from(
    { length: NUMERIC_BINS + 1 },
    (_, i) => lo + ((hi - lo) * i) / NUMERIC_BINS,
  );
  const shares = (column: ColumnProfile) => {
    const counts = histogramFromProfile(column, edges);
    const total = counts.reduce((s, c) => s + c, 0);
    return Array.from(counts, (c) => (total === 0 ? 0 : c / total));
  };
  return { kind: 'numeric', edges, reference: shares(ref), current: shares(cur) };
}

function categoricalChart(ref: ColumnProfile, cur: ColumnProfile, keys: string[]): ColumnChart {
  const count = (c: ColumnProfile, k: string) => c.frequent?.count(k) ?? 0;
  const top = [...keys]
    .sort((x, y) => count(ref, y) + count(cur, y) - (count(ref, x) + count(cur, x)))
    .slice(0, TOP_CATEGORIES);
  const share = (c: ColumnProfile, k: string) => {
    const total = presentCount(c);
    return total === 0 ? 0 : count(c, k) / total;
  };
  const reference = top.map((k) => share(ref, k));
  const current = top.map((k) => share(cur, k));
  const rest = (values: number[]) => Math.max(0, 1 - values.reduce((s, v) => s + v, 0));
  const exact = ref.frequent?.exact === true && cur.frequent?.exact === true;
  const other = top.length < keys.length || !exact;
  return {
    kind: 'categorical',
    categories: [...top, ...(other ? ['(other)'] : [])],
    reference: other ? [...reference, rest(reference)] : reference,
    current: other ? [...current, rest(current)] : current,
  };
}
