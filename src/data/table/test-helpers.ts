// Helpers for the table-reader tests: read every batch, and view batches as plain rows.
import { CELL_INVALID, CELL_MISSING } from './batch.js';
import type { ColumnBatch } from './batch.js';
import type { ReadTableOptions } from './options.js';
import { openTable } from './open.js';

/** Every batch of the table at `path`. */
export async function readAll(
  path: string,
  options: ReadTableOptions = {},
): Promise<ColumnBatch[]> {
  const reader = await openTable(path, options);
  const out: ColumnBatch[] = [];
  for await (const batch of reader.batches()) out.push(batch);
  return out;
}

/** A cell as a test sees it: its value, null when missing, or `{ invalid: raw }`. */
export type RowCell = number | boolean | string | null | { invalid: string | undefined };

/** The batches as rows of name → cell, in table order. */
export function rowsOf(batches: readonly ColumnBatch[]): Record<string, RowCell>[] {
  const rows: Record<string, RowCell>[] = [];
  for (const batch of batches) {
    for (let r = 0; r < batch.rows; r++) {
      const row: Record<string, RowCell> = {};
      batch.names.forEach((name, c) => {
        const column = batch.columns[c];
        if (column === undefined) return;
        if (column.type === 'string') {
          row[name] = column.values[r] ?? null;
        } else if (column.state[r] === CELL_MISSING) {
          row[name] = null;
        } else if (column.state[r] === CELL_INVALID) {
          row[name] = { invalid: column.invalid?.get(r) };
        } else {
          const value = column.values[r] ?? 0;
          row[name] = column.type === 'boolean' ? value === 1 : value;
        }
      });
      rows.push(row);
    }
  }
  return rows;
}
