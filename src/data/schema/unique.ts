/**
 * Exact uniqueness over row data, for the columns a schema declares unique. Each present value
 * is reduced to a 63-bit hash kept in an open-addressing table with the row it was first seen
 * in, so duplicates come with example rows. Memory is bounded by a value cap (default 10 M,
 * about 16 bytes per table slot at ≤ 60 % load: 256 MiB at the cap); beyond it the check fails
 * closed. Two different values share a hash with probability about n²/2^64 (≈ 5e-6 at 10 M).
 */
import { RampartError } from '../../core/index.js';
import { hashNumber, hashString } from '../profile/index.js';
import { CELL_PRESENT, type ColumnBatch, type ColumnValues } from '../table/batch.js';
import type { DataSchema } from './parse.js';

/** Default cap on values held per column. */
export const UNIQUE_MAX_VALUES = 10_000_000;
const EXAMPLES = 10;

/** Duplicates found in one column. */
export interface UniquenessResult {
  readonly column: string;
  /** Present values checked (missing, invalid and NaN cells are skipped). */
  readonly values: number;
  /** Values equal to an earlier one. */
  readonly duplicates: number;
  /** Up to 10 duplicates: the 0-based row and the row of the first occurrence. */
  readonly examples: readonly { readonly row: number; readonly firstRow: number }[];
}

/** A hash set of 63-bit hashes with the first row of each. */
class HashTable {
  private high = new Uint32Array(1 << 12);
  private low = new Uint32Array(1 << 12);
  private rows = new Float64Array(1 << 12);
  size = 0;

  /** Inserts; returns the first row when the hash was already present, else -1. */
  insert(high: number, low: number, row: number): number {
    const h = (high | 1) >>> 0; // bit forced so 0 marks an empty slot
    const mask = this.high.length - 1;
    let slot = (low ^ Math.imul(h, 0x9e3779b1)) & mask;
    for (;;) {
      const held = this.high[slot] ?? 0;
      if (held === 0) break;
      if (held === h && this.low[slot] === low) return this.rows[slot] ?? -1;
      slot = (slot + 1) & mask;
    }
    this.high[slot] = h;
    this.low[slot] = low;
    this.rows[slot] = row;
    if (++this.size > this.high.length * 0.6) this.grow();
    return -1;
  }

  private grow(): void {
    const { high, low, rows } = this;
    this.high = new Uint32Array(high.length * 2);
    this.low = new Uint32Array(high.length * 2);
    this.rows = new Float64Array(high.length * 2);
    this.size = 0;
    for (let i = 0; i < high.length; i++) {
      if ((high[i] ?? 0) !== 0) this.insert(high[i] ?? 0, low[i] ?? 0, rows[i] ?? 0);
    }
  }
}

/** Checks the columns a schema declares `unique: true`, batch by batch. */
export class UniquenessChecker {
  private readonly tables = new Map<string, HashTable>();
  private readonly results = new Map<
    string,
    { values: number; duplicates: number; examples: { row: number; firstRow: number }[] }
  >();
  private readonly hash = new Uint32Array(2);

  constructor(
    columns: readonly string[],
    private readonly maxValues = UNIQUE_MAX_VALUES,
  ) {
    for (const name of columns) {
      this.tables.set(name, new HashTable());
      this.results.set(name, { values: 0, duplicates: 0, examples: [] });
    }
  }

  /**
   * Adds one batch; columns the batch lacks are skipped (validation reports them).
   * @throws RAMPART_LIMIT_EXCEEDED when a column holds more values than the cap.
   */
  add(batch: ColumnBatch): void {
    batch.names.forEach((name, index) => {
      const table = this.tables.get(name);
      const result = this.results.get(name);
      const column = batch.columns[index];
      if (table === undefined || result === undefined || column === undefined) return;
      for (let i = 0; i < batch.rows; i++) {
        if (!this.hashCell(column, i)) continue;
        if (table.size >= this.maxValues) {
          throw new RampartError(
            'RAMPART_LIMIT_EXCEEDED',
            `the uniqueness check of column ${JSON.stringify(name)} passed its cap of ${this.maxValues} values`,
            {
              hint: 'Check uniqueness on a smaller dataset or partition, or raise the cap if memory allows (about 32 bytes per value).',
            },
          );
        }
        result.values++;
        const first = table.insert(this.hash[0] ?? 0, this.hash[1] ?? 0, batch.firstRow + i);
        if (first >= 0) {
          result.duplicates++;
          if (result.examples.length < EXAMPLES)
            result.examples.push({ row: batch.firstRow + i, firstRow: first });
        }
      }
    });
  }

  /** Hashes cell `i` into `this.hash`; false when the cell is not a present, comparable value. */
  private hashCell(column: ColumnValues, i: number): boolean {
    if (column.type === 'string') {
      const value = column.values[i];
      if (value === null || value === undefined) return false;
      hashString(value, this.hash);
      return true;
    }
    const value = column.values[i] ?? NaN;
    if (column.state[i] !== CELL_PRESENT || Number.isNaN(value)) return false;
    hashNumber(value, this.hash);
    return true;
  }

  /** One result per checked column, in the order given. */
  finish(): UniquenessResult[] {
    return [...this.results].map(([column, r]) => ({
      column,
      values: r.values,
      duplicates: r.duplicates,
      examples: r.examples,
    }));
  }
}

/** A checker for the columns `schema` declares unique. */
export function uniquenessChecker(
  schema: DataSchema,
  maxValues = UNIQUE_MAX_VALUES,
): UniquenessChecker {
  const columns = Object.entries(schema.columns)
    .filter(([, rule]) => rule.unique)
    .map(([name]) => name);
  return new UniquenessChecker(columns, maxValues);
}
