/**
 * The strict mode's decision, shared by the exact tests (compareTables) and the sketch tests
 * (compareProfiles): Benjamini–Hochberg over the columns that have a p-value, and drift only
 * when the adjusted p-value is below q AND the effect size reaches its threshold.
 */
import type { ColumnDrift, DriftMode, DriftReport } from './drift.js';

/** The false discovery rate of the strict mode. */
export const STRICT_Q = 0.05;
/** Normed Wasserstein a numeric column must also reach to drift (a tenth of a std). */
export const STRICT_WASSERSTEIN = 0.1;
/** Cramér's V a categorical column must also reach to drift (Cohen's "small"). */
export const STRICT_CRAMER_V = 0.1;

/**
 * BH-adjusted p-values (step-up, monotone) become the score; a column without a p-value (a
 * distance-only approximation) is decided by its own score and threshold.
 */
export function decideStrict(columns: readonly ColumnDrift[]): ColumnDrift[] {
  const tested = columns.flatMap((c, i) => (c.p_value === undefined ? [] : [{ p: c.p_value, i }]));
  const m = tested.length;
  const adjusted = new Map<number, number>();
  tested.sort((x, y) => x.p - y.p);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const { p, i } = tested[k] as { p: number; i: number };
    running = Math.min(running, (p * m) / (k + 1));
    adjusted.set(i, Math.min(1, running));
  }
  return columns.map((c, i) => {
    const q = adjusted.get(i);
    if (q === undefined) return { ...c, drifted: c.score >= c.threshold };
    const effect = c.effect;
    return {
      ...c,
      score: q,
      drifted: q < STRICT_Q && effect !== undefined && effect.value >= effect.threshold,
    };
  });
}

/** The report of decided columns: the share drifted and the dataset rule. */
export function driftReport(
  mode: DriftMode,
  columns: readonly ColumnDrift[],
  skipped: DriftReport['skipped'],
  driftShare = 0.5,
): DriftReport {
  const drifted = columns.filter((c) => c.drifted).length;
  const share = columns.length === 0 ? 0 : drifted / columns.length;
  return {
    mode,
    correction: mode === 'strict' ? 'bh' : 'none',
    columns,
    skipped,
    share_drifted: share,
    drift_share: driftShare,
    dataset_drifted: columns.length > 0 && share >= driftShare,
  };
}
