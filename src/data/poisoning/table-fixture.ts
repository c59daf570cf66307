// Test support: small in-memory tables built by hand and turned into ColumnBatch streams, and a
// seeded generator of a mixed table with a label. Readers are tested on their own; these tests
// exercise the poisoning signals only.
import { CELL_MISSING, CELL_PRESENT } from '../table/batch.js';
import type { ColumnBatch, ColumnType, ColumnValues } from '../table/batch.js';
import { seededRandom } from './sample.js';

/** One cell: null is missing. */
export type Cell = number | string | boolean | null;

/** A table held as rows, with a declared type per column. */
export interface Table {
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A factory of batch streams over the table, `batchRows` rows per batch. */
export function batchesOf(table: Table, batchRows = 1000): () => AsyncIterable<ColumnBatch> {
  return async function* stream() {
    for (let first = 0; first < table.rows.length; first += batchRows) {
      const slice = table.rows.slice(first, first + batchRows);
      yield {
        names: table.names,
        columns: table.types.map((type, c) =>
          column(
            type,
            slice.map((r) => r[c] ?? null),
          ),
        ),
        rows: slice.length,
        firstRow: first,
      };
      await Promise.resolve();
    }
  };
}

function column(type: ColumnType, cells: readonly Cell[]): ColumnValues {
  if (type === 'string') return { type, values: cells.map((v) => (v === null ? null : String(v))) };
  const state = Uint8Array.from(cells, (v) => (v === null ? CELL_MISSING : CELL_PRESENT));
  if (type === 'boolean')
    return { type, values: Uint8Array.from(cells, (v) => (v === true ? 1 : 0)), state };
  return { type, values: Float64Array.from(cells, (v) => (typeof v === 'number' ? v : 0)), state };
}

/** Standard normal draws from a uniform generator (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * A seeded table: numeric x0..x3, integer age, string colour (5 values), boolean flag, and a
 * label in {a, b, c} that depends on x0 with 10 % noise.
 */
export function generateTable(rows: number, seed: number): Table {
  const random = seededRandom(seed);
  const colours = ['red', 'green', 'blue', 'grey', 'black'];
  const out: Cell[][] = [];
  for (let i = 0; i < rows; i++) {
    const x0 = normal(random);
    const row: Cell[] = [x0, normal(random) * 5 + 10, normal(random) * 0.01, 100 + normal(random)];
    row.push(Math.round(40 + normal(random) * 12));
    row.push(colours[Math.floor(random() * colours.length)] ?? 'red');
    row.push(random() < 0.3);
    const clean = x0 < -0.5 ? 'a' : x0 < 0.5 ? 'b' : 'c';
    row.push(random() < 0.1 ? (['a', 'b', 'c'][Math.floor(random() * 3)] ?? 'a') : clean);
    out.push(row);
  }
  return {
    names: ['x0', 'x1', 'x2', 'x3', 'age', 'colour', 'flag', 'label'],
    types: ['number', 'number', 'number', 'number', 'integer', 'string', 'boolean', 'string'],
    rows: out,
  };
}

/** Splits a table's rows into two seeded random halves (reference, current). */
export function splitHalves(table: Table, seed: number): [Table, Table] {
  const random = seededRandom(seed);
  const a: Cell[][] = [];
  const b: Cell[][] = [];
  for (const row of table.rows) (random() < 0.5 ? a : b).push([...row]);
  return [
    { ...table, rows: a },
    { ...table, rows: b },
  ];
}
