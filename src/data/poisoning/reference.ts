// First pass over the reference: the layout, per-column scale and categories, the label mix,
// and the reference's row and feature hashes that current rows are looked up in.
import { RampartError } from '../../core/index.js';
import type { Category } from '../drift/index.js';
import { CELL_PRESENT } from '../table/batch.js';
import type { ColumnBatch, ColumnValues } from '../table/batch.js';
import { HashTable64 } from './hash-table.js';
import { RowHasher } from './hash.js';
import { align, layoutOf } from './layout.js';
import type { Layout } from './layout.js';
import { Reservoir, robustStats, seededRandom } from './sample.js';
import type { RobustStats } from './sample.js';
import type { ResolvedOptions } from './types.js';

/**
 * Rows whose features were seen before (in the table's feature map), and how many of them carry
 * another label than the first row with those features.
 */
export interface Repeats {
  rows: number;
  disagree: number;
}

/** What the first reference pass learns. */
export interface ReferenceSummary {
  readonly layout: Layout;
  readonly rows: number;
  /** Per column; numeric columns only (others have scale 0). */
  readonly stats: readonly RobustStats[];
  /** Grid step per column for near-duplicate keys. */
  readonly steps: Float64Array;
  /** Per column: value counts of a string/boolean column with few distinct values, else null. */
  readonly categories: readonly (Map<string | boolean, number> | null)[];
  /** Exact row hashes. */
  readonly exact: HashTable64;
  /** Feature hash → label of the first row with those features (only with a label column). */
  readonly features: HashTable64 | null;
  /** The reference's own label repeats: the natural rate of label disagreement. */
  readonly repeats: Repeats;
  /** Label counts; null when the label has more than maxLabelClasses values. */
  readonly labels: Map<Category, number> | null;
}

/** Reads the reference once; throws RAMPART_POISONING_INPUT_INVALID when it has no rows. */
export async function summariseReference(
  batches: AsyncIterable<ColumnBatch>,
  labelColumn: string | undefined,
  options: ResolvedOptions,
): Promise<ReferenceSummary> {
  const random = seededRandom(options.seed);
  let state: Pass | undefined;
  for await (const batch of batches) {
    state ??= startPass(layoutOf(batch, labelColumn), options, random);
    const columns = align(batch, state.layout, 'reference');
    addBatch(state, columns, batch.rows, options);
  }
  if (state === undefined || state.rows === 0) {
    throw new RampartError('RAMPART_POISONING_INPUT_INVALID', 'The reference table has no rows.', {
      hint: 'Compare against a reference version that holds data.',
    });
  }
  const stats = state.reservoirs.map((r) => (r === null ? NO_STATS : robustStats(r.sorted())));
  const steps = Float64Array.from(stats, (s) => s.scale * options.gridFraction);
  return {
    layout: state.layout,
    rows: state.rows,
    stats,
    steps,
    categories: state.categories,
    exact: state.exact,
    features: state.features,
    labels: state.labels,
    repeats: state.repeats,
  };
}

const NO_STATS: RobustStats = { median: NaN, scale: 0 };

interface Pass {
  readonly layout: Layout;
  readonly reservoirs: (Reservoir | null)[];
  readonly categories: (Map<string | boolean, number> | null)[];
  readonly exact: HashTable64;
  readonly features: HashTable64 | null;
  readonly hasher: RowHasher;
  labels: Map<Category, number> | null;
  readonly repeats: Repeats;
  rows: number;
}

function startPass(layout: Layout, options: ResolvedOptions, random: () => number): Pass {
  return {
    layout,
    reservoirs: layout.columns.map((c) =>
      c.kind === 'numeric' ? new Reservoir(options.reservoirSize, random) : null,
    ),
    categories: layout.columns.map((c) => (c.kind === 'numeric' ? null : new Map())),
    exact: new HashTable64(options.maxHashEntries),
    features: layout.hasLabel ? new HashTable64(options.maxHashEntries, 1) : null,
    // Grid steps are not known yet; the near-duplicate hash of this pass is unused.
    hasher: new RowHasher(layout, new Float64Array(layout.columns.length)),
    labels: layout.hasLabel ? new Map() : null,
    repeats: { rows: 0, disagree: 0 },
    rows: 0,
  };
}

function addBatch(
  state: Pass,
  columns: readonly ColumnValues[],
  rows: number,
  options: ResolvedOptions,
): void {
  columns.forEach((col, c) => {
    const reservoir = state.reservoirs[c];
    if (reservoir && col.type !== 'string' && col.type !== 'boolean') {
      for (let i = 0; i < rows; i++) {
        if (col.state[i] === CELL_PRESENT) reservoir.add(col.values[i] as number);
      }
    }
    const counts = state.categories[c];
    if (counts) state.categories[c] = countCategories(counts, col, rows, options.maxCategories);
  });
  if (state.layout.hasLabel) {
    const label = columns[columns.length - 1] as ColumnValues;
    state.labels = countLabels(state.labels, label, rows, options.maxLabelClasses);
  }
  const h = state.hasher.hash(columns, rows, false);
  for (let i = 0; i < rows; i++) state.exact.insert(h.e1[i] as number, h.e2[i] as number);
  if (state.features) {
    for (let i = 0; i < rows; i++) {
      if (h.labelMissing[i] === 1) continue;
      const f1 = h.f1[i] as number;
      const f2 = h.f2[i] as number;
      compareLabel(state.features, null, f1, f2, h.label[i] as number, state.repeats);
    }
  }
  state.rows += rows;
}

/**
 * Compares a labelled row with the first row of the same features, looked up in `known` (when
 * given) and then in `table`, where a first row is recorded. Returns 1 when the labels differ,
 * 0 when they agree or the row is the first (or the table is full).
 */
export function compareLabel(
  table: HashTable64,
  known: HashTable64 | null,
  f1: number,
  f2: number,
  label: number,
  repeats: Repeats,
): number {
  let first: number;
  const r = known === null ? -1 : known.find(f1, f2);
  if (r >= 0) {
    first = (known?.values[0] as Uint32Array)[r] as number;
  } else {
    const slot = table.insert(f1, f2);
    if (slot < 0) return 0;
    const labels = table.values[0] as Uint32Array;
    if (table.added) {
      labels[slot] = label;
      return 0;
    }
    first = labels[slot] as number;
  }
  repeats.rows++;
  if (first === label) return 0;
  repeats.disagree++;
  return 1;
}

function countCategories(
  counts: Map<string | boolean, number>,
  col: ColumnValues,
  rows: number,
  max: number,
): Map<string | boolean, number> | null {
  for (let i = 0; i < rows; i++) {
    const v = categoryAt(col, i);
    if (v === null) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > max) return null;
  }
  return counts;
}

/** The category of a string or boolean cell, or null when missing (or numeric). */
export function categoryAt(col: ColumnValues, i: number): string | boolean | null {
  if (col.type === 'string') return col.values[i] ?? null;
  if (col.type === 'boolean') return col.state[i] === CELL_PRESENT ? col.values[i] === 1 : null;
  return null;
}

/** Label value of a cell, or null when missing or NaN. */
export function labelAt(col: ColumnValues, i: number): Category | null {
  if (col.type === 'string' || col.type === 'boolean') return categoryAt(col, i);
  const v = col.values[i] as number;
  return col.state[i] === CELL_PRESENT && !Number.isNaN(v) ? v : null;
}

/** Adds a batch's labels to the counts; null once there are more than `max` classes. */
export function countLabels(
  counts: Map<Category, number> | null,
  col: ColumnValues,
  rows: number,
  max: number,
): Map<Category, number> | null {
  if (counts === null) return null;
  for (let i = 0; i < rows; i++) {
    const v = labelAt(col, i);
    if (v === null) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (counts.size > max) return null;
  }
  return counts;
}
