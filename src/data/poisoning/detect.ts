// Entry point of the poisoning check: validate, read the reference, the current table, the
// reference again, and score.
import { RampartError } from '../../core/index.js';
import * as z from 'zod';
import { referenceBaseline } from './baseline.js';
import type { Baseline } from './baseline.js';
import { scanCurrent } from './current.js';
import { summariseReference } from './reference.js';
import { buildSignals } from './signals.js';
import { MAX_HISTORY, POISONING_DEFAULTS } from './types.js';
import type {
  PoisoningInput,
  PoisoningOptions,
  PoisoningReport,
  ResolvedOptions,
} from './types.js';

const share = z.number().min(0).max(1);
const positive = z.number().positive().max(1e12);
const count = z.number().int().min(1).max(1e9);
const optionsSchema = z.strictObject({
  volumeZ: positive.optional(),
  volumeRatio: z.number().min(1).max(1e12).optional(),
  duplicateShare: share.optional(),
  referenceCopyShare: share.optional(),
  nearDuplicateShare: share.optional(),
  gridFraction: z.number().min(0).max(10).optional(),
  labelShiftAlpha: share.optional(),
  labelShiftMinChange: share.optional(),
  labelFlipShare: share.optional(),
  outlierZ: positive.optional(),
  outlierShare: share.optional(),
  newCategoryShare: share.optional(),
  significanceZ: z.number().min(0).max(100).optional(),
  maxCategories: count.optional(),
  maxLabelClasses: count.optional(),
  maxHashEntries: count.optional(),
  reservoirSize: z.number().int().min(1).max(1e8).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
});

/**
 * Scores the current version of a dataset for poisoning signals against a reference version:
 * volume change, duplicate and near-duplicate injection, copies of reference rows, label shift
 * and flips, outliers and new categories. Reads the reference twice and the current table once,
 * in memory bounded by the options' caps.
 * @throws RAMPART_POISONING_INPUT_INVALID, RAMPART_POISONING_LABEL_MISSING,
 *   RAMPART_POISONING_OPTIONS_INVALID
 */
export async function detectPoisoning(
  input: PoisoningInput,
  options: PoisoningOptions = {},
): Promise<PoisoningReport> {
  const o = resolveOptions(options);
  const history = checkHistory(input.history);
  const ref = await summariseReference(input.reference(), input.labelColumn, o);
  const cur = await scanCurrent(input.current(), ref, o);
  // An empty current table has nothing to compare row by row; skip the second reference read.
  const base: Baseline =
    cur.rows === 0
      ? { outlierRows: 0, sampleRows: 0, duplicates: 0, nearDuplicates: 0, full: false }
      : await referenceBaseline(input.reference(), ref, cur.rows, o);
  const signals = buildSignals({ ref, cur, base, history, options: o });
  return {
    signals,
    flagged: signals.some((s) => s.flagged),
    rows: { reference: ref.rows, current: cur.rows },
  };
}

function resolveOptions(options: PoisoningOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new RampartError(
      'RAMPART_POISONING_OPTIONS_INVALID',
      `Poisoning option ${where === '' ? '' : `"${where}" `}is not valid: ${issue?.message ?? 'unknown'}.`,
      { details: { option: where } },
    );
  }
  const given = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  return Object.freeze({ ...POISONING_DEFAULTS, ...given });
}

function checkHistory(history: readonly number[] | undefined): readonly number[] | undefined {
  if (history === undefined) return undefined;
  if (history.length > MAX_HISTORY || !history.every((h) => Number.isSafeInteger(h) && h >= 0)) {
    throw new RampartError(
      'RAMPART_POISONING_INPUT_INVALID',
      `The row-count history must be at most ${String(MAX_HISTORY)} non-negative integers.`,
      { hint: 'Pass the row counts of earlier versions, oldest first.' },
    );
  }
  return history;
}
