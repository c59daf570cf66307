// Row checks shared by the current pass and the reference baseline: outlier cells and unseen
// categories, and the bounded example lists that go into the report.
import type { ColumnValues } from '../table/batch.js';
import { CELL_PRESENT } from '../table/batch.js';
import { categoryAt } from './reference.js';
import type { ReferenceSummary } from './reference.js';
import { MAX_EXAMPLES } from './types.js';
import type { SignalExample } from './types.js';

/** Example cells a check reports; filled up to MAX_EXAMPLES, the rest dropped. */
export class Examples {
  readonly list: SignalExample[] = [];

  /** Adds an example while there is room. */
  add(example: SignalExample): void {
    if (this.list.length < MAX_EXAMPLES) this.list.push(example);
  }

  get room(): boolean {
    return this.list.length < MAX_EXAMPLES;
  }
}

/** Indices of the numeric columns with a usable scale (constant or empty columns are skipped). */
export function scaledColumns(summary: ReferenceSummary): number[] {
  return summary.layout.columns.flatMap((c, i) =>
    c.kind === 'numeric' && (summary.stats[i]?.scale ?? 0) > 0 ? [i] : [],
  );
}

/**
 * Marks rows holding a cell with |v − median| / scale > z (NaN is not an outlier, ±Infinity is);
 * returns how many rows it marked.
 */
export function markOutliers(
  columns: readonly ColumnValues[],
  summary: ReferenceSummary,
  scaled: readonly number[],
  z: number,
  rows: number,
  marks: Uint8Array,
  examples?: { sink: Examples; names: readonly string[]; firstRow: number },
): number {
  marks.fill(0, 0, rows);
  let marked = 0;
  for (const c of scaled) {
    const col = columns[c] as ColumnValues;
    if (col.type === 'string' || col.type === 'boolean') continue;
    const { median, scale } = summary.stats[c] as { median: number; scale: number };
    const limit = z * scale;
    for (let i = 0; i < rows; i++) {
      const v = col.values[i] as number;
      if (col.state[i] !== CELL_PRESENT || !(Math.abs(v - median) > limit)) continue;
      if (marks[i] === 1) continue;
      marks[i] = 1;
      marked++;
      if (examples?.sink.room) {
        examples.sink.add({
          row: examples.firstRow + i,
          column: examples.names[c] as string,
          value: v,
        });
      }
    }
  }
  return marked;
}

/** Counts rows holding a string/boolean value the reference never had, in checked columns. */
export function markNewCategories(
  columns: readonly ColumnValues[],
  summary: ReferenceSummary,
  rows: number,
  marks: Uint8Array,
  examples: { sink: Examples; names: readonly string[]; firstRow: number },
): number {
  marks.fill(0, 0, rows);
  let marked = 0;
  summary.categories.forEach((known, c) => {
    if (known === null) return;
    const col = columns[c] as ColumnValues;
    for (let i = 0; i < rows; i++) {
      const v = categoryAt(col, i);
      if (v === null || known.has(v) || marks[i] === 1) continue;
      marks[i] = 1;
      marked++;
      examples.sink.add({
        row: examples.firstRow + i,
        column: examples.names[c] as string,
        value: clip(v),
      });
    }
  });
  return marked;
}

/**
 * Good-Turing estimate of the share of fresh rows holding a value unseen in the reference: per
 * column, values seen once / reference rows, summed (a union bound over columns).
 */
export function unseenBaseline(summary: ReferenceSummary): number {
  let singletons = 0;
  for (const known of summary.categories) {
    if (known === null) continue;
    for (const n of known.values()) if (n === 1) singletons++;
  }
  return Math.min(1, singletons / summary.rows);
}

// Long untrusted text is cut in examples so a report stays small.
function clip<T>(v: T): T | string {
  return typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v;
}
