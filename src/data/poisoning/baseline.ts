// Second pass over the reference: its own rates of what the current pass counts, so a signal
// scores only the excess. Duplicate rates grow with table size, so they are measured on a
// seeded Bernoulli sample of the reference as large as the current table.
import type { ColumnBatch } from '../table/batch.js';
import { markOutliers, scaledColumns } from './checks.js';
import { HashTable64 } from './hash-table.js';
import { RowHasher } from './hash.js';
import { align } from './layout.js';
import type { ReferenceSummary } from './reference.js';
import { seededRandom } from './sample.js';
import type { ResolvedOptions } from './types.js';

/** The reference's own rates. */
export interface Baseline {
  /** Rows of the reference with an outlier cell (all rows are checked). */
  readonly outlierRows: number;
  /** Rows drawn for the duplicate rates, and their exact and near duplicates. */
  readonly sampleRows: number;
  readonly duplicates: number;
  readonly nearDuplicates: number;
  /** A sample hash table reached its cap (the rates are then lower bounds). */
  readonly full: boolean;
}

/** Reads the reference a second time; `currentRows` sets the sample size. */
export async function referenceBaseline(
  batches: AsyncIterable<ColumnBatch>,
  ref: ReferenceSummary,
  currentRows: number,
  options: ResolvedOptions,
): Promise<Baseline> {
  // A different stream from the reservoirs' so the two draws are independent.
  const random = seededRandom(options.seed ^ 0x5a5a5a5a);
  const rate = Math.min(1, currentRows / ref.rows);
  const hasher = new RowHasher(ref.layout, ref.steps);
  const exact = new HashTable64(options.maxHashEntries);
  const near = new HashTable64(options.maxHashEntries);
  const scaled = scaledColumns(ref);
  let marks = new Uint8Array(0);
  let outlierRows = 0;
  let sampleRows = 0;
  let duplicates = 0;
  let nearDuplicates = 0;
  for await (const batch of batches) {
    const columns = align(batch, ref.layout, 'reference');
    const rows = batch.rows;
    if (marks.length < rows) marks = new Uint8Array(rows);
    outlierRows += markOutliers(columns, ref, scaled, options.outlierZ, rows, marks);
    const h = hasher.hash(columns, rows);
    for (let i = 0; i < rows; i++) {
      if (rate < 1 && random() >= rate) continue;
      sampleRows++;
      if (exact.insert(h.e1[i] as number, h.e2[i] as number) < 0) continue;
      if (!exact.added) duplicates++;
      else if (near.insert(h.n1[i] as number, h.n2[i] as number) >= 0 && !near.added) {
        nearDuplicates++;
      }
    }
  }
  return { outlierRows, sampleRows, duplicates, nearDuplicates, full: exact.full || near.full };
}
