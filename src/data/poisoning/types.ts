// Public shapes of the poisoning check: its input, options and report.
import type { ColumnBatch } from '../table/batch.js';

/** The two tables to compare, as factories so the check can read a table more than once. */
export interface PoisoningInput {
  /** The trusted earlier version (read twice). */
  readonly reference: () => AsyncIterable<ColumnBatch>;
  /** The version being ingested (read once). */
  readonly current: () => AsyncIterable<ColumnBatch>;
  /** The class label; enables `label_shift` and `label_flips`. */
  readonly labelColumn?: string;
  /** Row counts of earlier versions of the dataset, oldest first. */
  readonly history?: readonly number[];
}

/** Thresholds and limits; every field has a documented default (docs/data-poisoning.md). */
export interface PoisoningOptions {
  /** `volume_change` with ≥ 3 history points: robust z-score cut-off (3.5). */
  readonly volumeZ?: number;
  /** `volume_change` with < 3 history points: growth or shrink factor cut-off (2). */
  readonly volumeRatio?: number;
  /** `duplicate_rows`: excess share of exact duplicates over the reference's (0.01). */
  readonly duplicateShare?: number;
  /** `reference_copies`: share of current rows equal to a reference row (1: informational). */
  readonly referenceCopyShare?: number;
  /** `near_duplicates`: excess share of near-duplicate rows over the reference's (0.01). */
  readonly nearDuplicateShare?: number;
  /** Grid step for near-duplicates, as a fraction of each numeric column's robust scale (0.1). */
  readonly gridFraction?: number;
  /** `label_shift`: p-value below which the label mix changed (0.05). */
  readonly labelShiftAlpha?: number;
  /** `label_shift`: smallest change of one label's share that counts (0.01). */
  readonly labelShiftMinChange?: number;
  /** `label_flips`: excess share of current rows in a label conflict (0.005). */
  readonly labelFlipShare?: number;
  /** `outliers`: robust z-score beyond which a cell is an outlier (6). */
  readonly outlierZ?: number;
  /** `outliers`: excess share of outlier rows over the reference's (0.01). */
  readonly outlierShare?: number;
  /** Share signals flag only when the excess is also this many standard errors above chance (3). */
  readonly significanceZ?: number;
  /** `new_categories`: excess share of rows holding an unseen category (0.01). */
  readonly newCategoryShare?: number;
  /** Columns with more distinct reference values are not checked for new categories (1,000). */
  readonly maxCategories?: number;
  /** Labels with more distinct values are not tested for a shift (1,000). */
  readonly maxLabelClasses?: number;
  /** Entries per row-hash table; beyond it the signals that use the table are incomplete (10 M). */
  readonly maxHashEntries?: number;
  /** Values kept per numeric reference column for its median and MAD (100,000). */
  readonly reservoirSize?: number;
  /** Seed of the reservoir and reference-sampling generator (fixed, so reports repeat). */
  readonly seed?: number;
}

/** The signal names, fixed: scripts and policies rely on them. */
export type SignalName =
  | 'volume_change'
  | 'duplicate_rows'
  | 'reference_copies'
  | 'near_duplicates'
  | 'label_shift'
  | 'label_flips'
  | 'outliers'
  | 'new_categories';

/** One row that shows a signal: its 0-based index in the current table and, where it helps, the cell. */
export interface SignalExample {
  readonly row: number;
  readonly column?: string;
  readonly value?: string | number | boolean | null;
}

/** One poisoning signal; `flagged` when its score crosses its threshold. */
export interface PoisoningSignal {
  readonly name: SignalName;
  readonly score: number;
  readonly threshold: number;
  readonly flagged: boolean;
  /** One human sentence. */
  readonly summary: string;
  /** At most 10. */
  readonly examples: readonly SignalExample[];
  /** Set when a hash table reached its cap: the score is then a lower bound. */
  readonly incomplete?: boolean;
}

/** The poisoning report: every signal computed, and whether any is flagged. */
export interface PoisoningReport {
  readonly signals: readonly PoisoningSignal[];
  readonly flagged: boolean;
  readonly rows: { readonly reference: number; readonly current: number };
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<PoisoningOptions>;

/** The defaults, documented with their reasons in docs/data-poisoning.md. */
export const POISONING_DEFAULTS: ResolvedOptions = Object.freeze({
  volumeZ: 3.5,
  volumeRatio: 2,
  duplicateShare: 0.01,
  referenceCopyShare: 1,
  nearDuplicateShare: 0.01,
  gridFraction: 0.1,
  labelShiftAlpha: 0.05,
  labelShiftMinChange: 0.01,
  labelFlipShare: 0.005,
  outlierZ: 6,
  outlierShare: 0.01,
  newCategoryShare: 0.01,
  significanceZ: 3,
  maxCategories: 1000,
  maxLabelClasses: 1000,
  maxHashEntries: 10_000_000,
  reservoirSize: 100_000,
  seed: 0x5eed,
});

/** At most this many examples per signal. */
export const MAX_EXAMPLES = 10;
/** At most this many history points. */
export const MAX_HISTORY = 100_000;
