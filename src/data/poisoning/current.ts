// The one pass over the current table: exact and near duplicates, copies of reference rows,
// label conflicts, outliers, unseen categories and the label mix, all with bounded memory.
import type { Category } from '../drift/index.js';
import type { ColumnBatch, ColumnValues } from '../table/batch.js';
import { Examples, markNewCategories, markOutliers, scaledColumns } from './checks.js';
import { HashTable64 } from './hash-table.js';
import { RowHasher } from './hash.js';
import { align } from './layout.js';
import { compareLabel, countLabels, labelAt } from './reference.js';
import type { Repeats } from './reference.js';
import type { ReferenceSummary } from './reference.js';
import type { ResolvedOptions } from './types.js';

/** What the current pass counts; shares are counts / rows. */
export interface CurrentCounts {
  rows: number;
  duplicates: number;
  nearDuplicates: number;
  copies: number;
  /** Labelled rows whose features were seen before, and those with another label. */
  repeats: Repeats;
  outliers: number;
  newCategories: number;
  labels: Map<Category, number> | null;
  /** A hash table reached its cap: exact (duplicates, near), copies (reference set), flips. */
  full: { exact: boolean; copies: boolean; flips: boolean };
  examples: Record<
    'duplicates' | 'near' | 'copies' | 'flips' | 'outliers' | 'categories',
    Examples
  >;
}

/** Reads the current table once, against the reference summary. */
export async function scanCurrent(
  batches: AsyncIterable<ColumnBatch>,
  ref: ReferenceSummary,
  options: ResolvedOptions,
): Promise<CurrentCounts> {
  const names = ref.layout.columns.map((c) => c.name);
  const labelName = ref.layout.hasLabel ? names[names.length - 1] : undefined;
  const hasher = new RowHasher(ref.layout, ref.steps);
  const exact = new HashTable64(options.maxHashEntries);
  const near = new HashTable64(options.maxHashEntries);
  const features = ref.features ? new HashTable64(options.maxHashEntries, 1) : null;
  const scaled = scaledColumns(ref);
  const counts: CurrentCounts = {
    rows: 0,
    duplicates: 0,
    nearDuplicates: 0,
    copies: 0,
    repeats: { rows: 0, disagree: 0 },
    outliers: 0,
    newCategories: 0,
    labels: ref.layout.hasLabel ? new Map() : null,
    full: { exact: false, copies: false, flips: false },
    examples: {
      duplicates: new Examples(),
      near: new Examples(),
      copies: new Examples(),
      flips: new Examples(),
      outliers: new Examples(),
      categories: new Examples(),
    },
  };
  let marks = new Uint8Array(0);
  for await (const batch of batches) {
    const columns = align(batch, ref.layout, 'current');
    const rows = batch.rows;
    if (marks.length < rows) marks = new Uint8Array(rows);
    const firstRow = counts.rows;
    const h = hasher.hash(columns, rows);
    const ex = counts.examples;
    for (let i = 0; i < rows; i++) {
      const e1 = h.e1[i] as number;
      const e2 = h.e2[i] as number;
      if (ref.exact.find(e1, e2) >= 0) {
        counts.copies++;
        ex.copies.add({ row: firstRow + i });
      }
      if (exact.insert(e1, e2) < 0) continue;
      if (!exact.added) {
        counts.duplicates++;
        ex.duplicates.add({ row: firstRow + i });
      } else if (near.insert(h.n1[i] as number, h.n2[i] as number) >= 0 && !near.added) {
        counts.nearDuplicates++;
        ex.near.add({ row: firstRow + i });
      }
    }
    if (features && ref.features && labelName !== undefined) {
      const label = columns[columns.length - 1] as ColumnValues;
      for (let i = 0; i < rows; i++) {
        if (h.labelMissing[i] === 1) continue;
        const f1 = h.f1[i] as number;
        const f2 = h.f2[i] as number;
        if (
          compareLabel(features, ref.features, f1, f2, h.label[i] as number, counts.repeats) === 1
        ) {
          ex.flips.add({ row: firstRow + i, column: labelName, value: labelAt(label, i) });
        }
      }
      counts.labels = countLabels(counts.labels, label, rows, options.maxLabelClasses);
    }
    const at = { names, firstRow };
    counts.outliers += markOutliers(columns, ref, scaled, options.outlierZ, rows, marks, {
      ...at,
      sink: ex.outliers,
    });
    counts.newCategories += markNewCategories(columns, ref, rows, marks, {
      ...at,
      sink: ex.categories,
    });
    counts.rows += rows;
  }
  counts.full = {
    exact: exact.full || near.full,
    copies: ref.exact.full,
    flips: (features?.full ?? false) || (ref.features?.full ?? false),
  };
  return counts;
}
