/** Hand-built column batches and a seeded PRNG for the profile and schema tests. */
import { CELL_MISSING, CELL_PRESENT, type ColumnBatch, type ColumnValues } from '../table/batch.js';

/** A cell as tests write it: a value, null for missing, or `{ invalid: text }`. */
export type Cell = number | boolean | string | null | { readonly invalid: string };

/** Builds one typed column from cells. */
export function column(type: ColumnValues['type'], cells: readonly Cell[]): ColumnValues {
  if (type === 'string')
    return { type, values: cells.map((c) => (typeof c === 'string' ? c : null)) };
  const state = new Uint8Array(cells.length);
  const invalid = new Map<number, string>();
  const values = type === 'boolean' ? new Uint8Array(cells.length) : new Float64Array(cells.length);
  cells.forEach((cell, i) => {
    if (cell === null) state[i] = CELL_MISSING;
    else if (typeof cell === 'object') {
      state[i] = 2;
      invalid.set(i, cell.invalid);
    } else {
      state[i] = CELL_PRESENT;
      values[i] = Number(cell);
    }
  });
  return type === 'boolean'
    ? { type, values: values as Uint8Array, state, invalid }
    : { type, values: values as Float64Array, state, invalid };
}

/** Builds a batch from named columns of equal length. */
export function batch(columns: Readonly<Record<string, ColumnValues>>, firstRow = 0): ColumnBatch {
  const names = Object.keys(columns);
  const values = Object.values(columns);
  const first = values[0];
  const rows = first === undefined ? 0 : first.values.length;
  return { names, columns: values, rows, firstRow };
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate from `random` (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
