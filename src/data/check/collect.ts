/**
 * The exact drift tests (Evidently's and the strict mode's) compare the values themselves, so a
 * check collects each column's present values once: numbers as a Float64Array, everything else
 * as categories. Memory is bounded by a cell limit; beyond it the check refuses rather than
 * sampling silently.
 */
import { RampartError } from '../../core/index.js';
import type { Category } from '../drift/index.js';
import { CELL_PRESENT, type ColumnBatch, type ColumnType } from '../table/batch.js';

/**
 * One column's present values (missing and invalid cells dropped, NaN dropped as Evidently
 * does); numbers ascending — the tests compare distributions, so row order carries nothing.
 */
export interface CollectedColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** Numeric columns only. */
  readonly numbers?: Float64Array;
  /** String and boolean columns only. */
  readonly categories?: readonly Category[];
}

/** A table's collected columns and its row count. */
export interface CollectedTable {
  readonly rows: number;
  readonly columns: ReadonlyMap<string, CollectedColumn>;
}

/** Default cap on collected cells per table (20 M ≈ 160 MB of numbers). */
export const MAX_CHECK_CELLS = 20_000_000;

/**
 * Collects every column of `batches`.
 * @throws RAMPART_LIMIT_EXCEEDED beyond `maxCells` cells.
 */
export async function collectTable(
  batches: AsyncIterable<ColumnBatch>,
  maxCells = MAX_CHECK_CELLS,
): Promise<CollectedTable> {
  const numbers = new Map<string, { type: ColumnType; chunks: Float64Array[]; length: number }>();
  const categories = new Map<string, { type: ColumnType; values: Category[] }>();
  let rows = 0;
  for await (const batch of batches) {
    rows += batch.rows;
    if (rows * batch.names.length > maxCells) {
      throw new RampartError(
        'RAMPART_LIMIT_EXCEEDED',
        `data check: more than ${maxCells} cells to compare exactly (${batch.names.length} columns)`,
        {
          hint: 'Check fewer columns or a sample of the rows; the limit is documented in docs/data-check.md.',
        },
      );
    }
    batch.columns.forEach((column, index) => {
      const name = batch.names[index] ?? '';
      if (column.type === 'string') {
        const slot = categories.get(name) ?? { type: column.type, values: [] };
        categories.set(name, slot);
        for (const value of column.values) if (value !== null) slot.values.push(value);
        return;
      }
      if (column.type === 'boolean') {
        const slot = categories.get(name) ?? { type: column.type, values: [] };
        categories.set(name, slot);
        for (let i = 0; i < batch.rows; i++) {
          if (column.state[i] === CELL_PRESENT) slot.values.push(column.values[i] === 1);
        }
        return;
      }
      const slot = numbers.get(name) ?? { type: column.type, chunks: [], length: 0 };
      numbers.set(name, slot);
      const kept = new Float64Array(batch.rows);
      let k = 0;
      for (let i = 0; i < batch.rows; i++) {
        const v = column.values[i] as number;
        if (column.state[i] === CELL_PRESENT && !Number.isNaN(v)) kept[k++] = v;
      }
      slot.chunks.push(kept.subarray(0, k));
      slot.length += k;
    });
  }
  const columns = new Map<string, CollectedColumn>();
  for (const [name, slot] of numbers) {
    const all = new Float64Array(slot.length);
    let at = 0;
    for (const chunk of slot.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    // Sorted once here: every test sorts its inputs, and sorted input makes that cheap.
    columns.set(name, { name, type: slot.type, numbers: all.sort() });
  }
  for (const [name, slot] of categories) {
    columns.set(name, { name, type: slot.type, categories: slot.values });
  }
  return { rows, columns };
}
