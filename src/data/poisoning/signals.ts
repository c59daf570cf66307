// Turns the counts of the three passes into the report's signals: score, threshold, verdict
// and one sentence each.
import { chiSquareContingency } from '../drift/index.js';
import type { Category } from '../drift/index.js';
import type { Baseline } from './baseline.js';
import { unseenBaseline } from './checks.js';
import type { CurrentCounts } from './current.js';
import type { ReferenceSummary } from './reference.js';
import { quantile } from './sample.js';
import type { PoisoningSignal, ResolvedOptions, SignalExample, SignalName } from './types.js';

/** Everything the signals are computed from. */
export interface SignalInputs {
  readonly ref: ReferenceSummary;
  readonly cur: CurrentCounts;
  readonly base: Baseline;
  readonly history: readonly number[] | undefined;
  readonly options: ResolvedOptions;
}

/** All signals, in the documented order; the label signals only with a label column. */
export function buildSignals(input: SignalInputs): PoisoningSignal[] {
  const { ref, cur, base, options: o } = input;
  const ex = cur.examples;
  const n = cur.rows;
  const signals = [
    volumeSignal(n, ref.rows, input.history, o),
    excess(
      'duplicate_rows',
      share(cur.duplicates, n),
      share(base.duplicates, base.sampleRows),
      {
        threshold: o.duplicateShare,
        z: twoProportionZ(cur.duplicates, n, base.duplicates, base.sampleRows),
        what: 'repeat an earlier current row exactly',
        baseline: 'in a same-size sample of the reference',
        examples: ex.duplicates.list,
        incomplete: cur.full.exact || base.full,
      },
      o.significanceZ,
    ),
    signal('reference_copies', share(cur.copies, n), o.referenceCopyShare, {
      summary: `${pct(share(cur.copies, n))} of current rows are exact copies of reference rows (expected when a version appends to its parent).`,
      examples: ex.copies.list,
      incomplete: cur.full.copies,
    }),
    excess(
      'near_duplicates',
      share(cur.nearDuplicates, n),
      share(base.nearDuplicates, base.sampleRows),
      {
        threshold: o.nearDuplicateShare,
        z: twoProportionZ(cur.nearDuplicates, n, base.nearDuplicates, base.sampleRows),
        what: 'nearly repeat an earlier current row (equal after rounding numbers to the grid and normalising text) without being exact copies',
        baseline: 'in a same-size sample of the reference',
        examples: ex.near.list,
        incomplete: cur.full.exact || base.full,
      },
      o.significanceZ,
    ),
  ];
  if (ref.layout.hasLabel) {
    signals.push(labelShiftSignal(ref.labels, cur.labels, o));
    // Expected disagreements: the reference's own rate over the current rows that repeat features.
    const rate = share(ref.repeats.disagree, ref.repeats.rows);
    signals.push(
      excess(
        'label_flips',
        share(cur.repeats.disagree, n),
        share(rate * cur.repeats.rows, n),
        {
          threshold: o.labelFlipShare,
          // A reference with few repeated feature rows says little about its natural rate:
          // smooth it with a prior of 1 % disagreement worth 50 rows (Beta(0.5, 49.5)), so a
          // small reference neither hides an injection nor turns noise into an alarm.
          z: binomialZ(
            cur.repeats.disagree,
            cur.repeats.rows,
            (ref.repeats.disagree + FLIP_PRIOR_DISAGREE) / (ref.repeats.rows + FLIP_PRIOR_ROWS),
          ),
          what: 'carry another label than the first row with the same features (in the reference or earlier in current)',
          baseline: "expected from the reference's own rate",
          examples: ex.flips.list,
          incomplete: cur.full.flips,
        },
        o.significanceZ,
      ),
    );
  }
  signals.push(
    excess(
      'outliers',
      share(cur.outliers, n),
      share(base.outlierRows, ref.rows),
      {
        threshold: o.outlierShare,
        z: twoProportionZ(cur.outliers, n, base.outlierRows, ref.rows),
        what: `hold a value more than ${String(o.outlierZ)} robust standard deviations from the reference median`,
        baseline: 'in the reference',
        examples: ex.outliers.list,
        incomplete: false,
      },
      o.significanceZ,
    ),
  );
  const checked = ref.categories.filter((c) => c !== null).length;
  const unseen = n === 0 ? 0 : unseenBaseline(ref);
  signals.push(
    excess(
      'new_categories',
      share(cur.newCategories, n),
      unseen,
      {
        threshold: o.newCategoryShare,
        z: binomialZ(cur.newCategories, n, unseen),
        what: `hold a value never seen in the reference (${String(checked)} columns checked)`,
        baseline: 'expected from reference values seen once (Good-Turing)',
        examples: ex.categories.list,
        incomplete: false,
      },
      o.significanceZ,
    ),
  );
  return signals;
}

/**
 * Volume against history: with ≥ 3 earlier counts, a robust z-score (median, 1.4826 × MAD, the
 * scale floored at 10 % of the median); otherwise the growth or shrink factor against the last
 * count (or the reference's rows).
 */
function volumeSignal(
  rows: number,
  refRows: number,
  history: readonly number[] | undefined,
  o: ResolvedOptions,
): PoisoningSignal {
  if (history !== undefined && history.length >= 3) {
    const sorted = Float64Array.from(history).sort();
    const median = quantile(sorted, 0.5);
    const mad = 1.4826 * quantile(sorted.map((h) => Math.abs(h - median)).sort(), 0.5);
    const scale = Math.max(mad, 0.1 * median, 1);
    const z = (rows - median) / scale;
    return signal('volume_change', Math.abs(z), o.volumeZ, {
      summary: `${String(rows)} rows against a median of ${String(median)} over ${String(history.length)} earlier versions: a ${z >= 0 ? 'surge' : 'drop'} of robust z ${z.toFixed(2)}.`,
      examples: [],
      incomplete: false,
    });
  }
  const last = history?.[history.length - 1];
  const base = last ?? refRows;
  const ratio = Math.max(rows, 1) / Math.max(base, 1);
  const factor = ratio >= 1 ? ratio : 1 / ratio;
  const against = last === undefined ? 'the reference' : 'the last version';
  return signal('volume_change', factor, o.volumeRatio, {
    summary: `${String(rows)} rows against ${String(base)} in ${against}: ${ratio >= 1 ? 'grew' : 'shrank'} by a factor of ${factor.toFixed(2)}.`,
    examples: [],
    incomplete: false,
  });
}

/**
 * Label mix: chi-square contingency test of reference against current counts; flagged when
 * p < alpha and some label's share moved by at least labelShiftMinChange (so that huge tables
 * do not flag a negligible wobble).
 */
function labelShiftSignal(
  ref: Map<Category, number> | null,
  cur: Map<Category, number> | null,
  o: ResolvedOptions,
): PoisoningSignal {
  const base = { name: 'label_shift' as const, threshold: o.labelShiftAlpha, examples: [] };
  if (ref === null || cur === null) {
    return {
      ...base,
      score: 1,
      flagged: false,
      incomplete: true,
      summary: `The label has more than ${String(o.maxLabelClasses)} distinct values, so its mix was not tested.`,
    };
  }
  const keys = [...ref.keys(), ...[...cur.keys()].filter((k) => !ref.has(k))];
  const refRow = keys.map((k) => ref.get(k) ?? 0);
  const curRow = keys.map((k) => cur.get(k) ?? 0);
  const nr = refRow.reduce((s, v) => s + v, 0);
  const nc = curRow.reduce((s, v) => s + v, 0);
  if (nr === 0 || nc === 0) {
    return { ...base, score: 1, flagged: false, summary: 'No labelled rows on one side.' };
  }
  const p = chiSquareContingency([refRow, curRow]).p_value;
  let top = 0;
  keys.forEach((_, i) => {
    const d = Math.abs((curRow[i] as number) / nc - (refRow[i] as number) / nr);
    if (d > Math.abs((curRow[top] as number) / nc - (refRow[top] as number) / nr)) top = i;
  });
  const from = (refRow[top] as number) / nr;
  const to = (curRow[top] as number) / nc;
  const flagged = p < o.labelShiftAlpha && Math.abs(to - from) >= o.labelShiftMinChange;
  return {
    ...base,
    score: p,
    flagged,
    summary: `Label ${JSON.stringify(keys[top])} moved from ${pct(from)} to ${pct(to)} of rows (chi-square p = ${p.toPrecision(3)}).`,
  };
}

interface ExcessSpec {
  readonly threshold: number;
  /** How many standard errors the current share lies above the reference's. */
  readonly z: number;
  readonly what: string;
  readonly baseline: string;
  readonly examples: readonly SignalExample[];
  readonly incomplete: boolean;
}

const FLIP_PRIOR_DISAGREE = 0.5;
const FLIP_PRIOR_ROWS = 50;

/**
 * A share signal scored as the current share minus the reference's own; flagged when the excess
 * is over the threshold and also significant (z ≥ minZ), so sampling noise alone never flags.
 */
function excess(
  name: SignalName,
  current: number,
  reference: number,
  s: ExcessSpec,
  minZ: number,
): PoisoningSignal {
  const lower = s.incomplete ? ' A hash table reached its cap, so this is a lower bound.' : '';
  const z = Number.isFinite(s.z) ? s.z.toFixed(1) : 'unbounded';
  const body = signal(name, current - reference, s.threshold, {
    summary: `${pct(current)} of current rows ${s.what}, against ${pct(reference)} ${s.baseline} (z ${z}).${lower}`,
    examples: s.examples,
    incomplete: s.incomplete,
  });
  return { ...body, flagged: body.flagged && s.z >= minZ };
}

/**
 * Pooled two-proportion z of k1/n1 above k2/n2. An empty reference side has share 0 (as in the
 * score), so any count above it is significant.
 */
function twoProportionZ(k1: number, n1: number, k2: number, n2: number): number {
  if (n2 === 0) return binomialZ(k1, n1, 0);
  if (n1 === 0) return 0;
  const p = (k1 + k2) / (n1 + n2);
  const variance = p * (1 - p) * (1 / n1 + 1 / n2);
  const d = k1 / n1 - k2 / n2;
  return variance > 0 ? d / Math.sqrt(variance) : d > 0 ? Infinity : 0;
}

/** Binomial z of k successes in n trials above an expected share p0. */
function binomialZ(k: number, n: number, p0: number): number {
  if (n === 0) return 0;
  const variance = n * p0 * (1 - p0);
  const d = k - n * p0;
  return variance > 0 ? d / Math.sqrt(variance) : d > 0 ? Infinity : 0;
}

function signal(
  name: SignalName,
  score: number,
  threshold: number,
  rest: { summary: string; examples: readonly SignalExample[]; incomplete: boolean },
): PoisoningSignal {
  const { incomplete, ...body } = rest;
  const out = { name, score, threshold, flagged: score > threshold, ...body };
  return incomplete ? { ...out, incomplete } : out;
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}
