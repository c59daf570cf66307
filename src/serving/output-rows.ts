/**
 * Output tensors as table rows, for output drift: a numeric output of shape [n] is one column
 * named after it, one of shape [n, k] is k columns `name[0]` … `name[k-1]`. Other shapes and
 * non-numeric outputs are left out. Integer outputs (class labels) are typed `integer`, so that
 * the drift test treats few distinct values as categories. And the training rows the output
 * reference is predicted from.
 */
import {
  CELL_PRESENT,
  type CollectedTable,
  type ColumnBatch,
  type ColumnType,
} from '../data/index.js';
import type { Tensor } from './oip/types.js';

/** The output columns a set of tensors yields, in order. */
export interface OutputLayout {
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  /** Per column: which tensor, and which element of a row of it. */
  readonly cells: readonly {
    readonly tensor: number;
    readonly width: number;
    readonly at: number;
  }[];
  /** How many outputs it was made from, and each one used (to check later answers by). */
  readonly count: number;
  readonly used: readonly UsedOutput[];
}

interface UsedOutput {
  readonly tensor: number;
  readonly name: string;
  readonly datatype: string;
  readonly rank: number;
  readonly width: number;
}

/** The layout of `outputs`, whose first dimension is the batch. */
export function outputLayout(outputs: readonly Tensor[]): OutputLayout {
  const names: string[] = [];
  const types: ColumnType[] = [];
  const cells: { tensor: number; width: number; at: number }[] = [];
  const used: UsedOutput[] = [];
  outputs.forEach((tensor, t) => {
    if (!/^(FP|INT|UINT)\d+$/.test(tensor.datatype) || tensor.shape.length > 2) return;
    const width = widthOf(tensor);
    if (width < 1 || width > 64) return;
    const { name, datatype } = tensor;
    used.push({ tensor: t, name, datatype, rank: tensor.shape.length, width });
    const type: ColumnType = datatype.startsWith('FP') ? 'number' : 'integer';
    for (let at = 0; at < width; at++) {
      names.push(tensor.shape.length === 2 ? `${name}[${at}]` : name);
      types.push(type);
      cells.push({ tensor: t, width, at });
    }
  });
  return { names, types, cells, count: outputs.length, used };
}

/**
 * True when `outputs` have the shape `layout` was made from: as many tensors, and each one used
 * with its name, datatype, rank and row width. It runs per request, so it only compares.
 */
export function sameLayout(layout: OutputLayout, outputs: readonly Tensor[]): boolean {
  if (outputs.length !== layout.count) return false;
  for (const { tensor, name, datatype, rank, width } of layout.used) {
    const output = outputs[tensor];
    if (output?.name !== name || output.datatype !== datatype) return false;
    if (output.shape.length !== rank || widthOf(output) !== width) return false;
  }
  return true;
}

function widthOf(tensor: Tensor): number {
  return tensor.shape.length === 2 ? (tensor.shape[1] ?? 0) : 1;
}

/** The rows of `outputs` (batch size `rows`) in `layout`'s column order. */
export function outputRows(
  layout: OutputLayout,
  outputs: readonly Tensor[],
  rows: number,
): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    out.push(
      layout.cells.map(({ tensor, width, at }) => {
        const value = outputs[tensor]?.data[r * width + at];
        return typeof value === 'number' ? value : Number.NaN;
      }),
    );
  }
  return out;
}

/** Rows as a collected table (each column's values, NaN dropped, ascending). */
export function rowsTable(
  layout: OutputLayout,
  rows: readonly (readonly number[])[],
): CollectedTable {
  return {
    rows: rows.length,
    columns: new Map(
      layout.names.map((name, c) => [
        name,
        {
          name,
          type: layout.types[c] ?? 'number',
          numbers: Float64Array.from(rows, (row) => row[c] ?? Number.NaN)
            .filter((v) => !Number.isNaN(v))
            .sort(),
        },
      ]),
    ),
  };
}

/**
 * Passes `batches` on, copying into `rows` the first `limit` rows whose numeric columns all hold
 * a finite value: inputs the model can be run on (a missing or non-finite cell would make the
 * whole reference prediction fail).
 */
export async function* keepFirstRows(
  batches: AsyncIterable<ColumnBatch>,
  rows: number[][],
  limit: number,
): AsyncGenerator<ColumnBatch> {
  for await (const batch of batches) {
    if (rows.length < limit) copyCompleteRows(batch, rows, limit);
    yield batch;
  }
}

function copyCompleteRows(batch: ColumnBatch, rows: number[][], limit: number): void {
  const numeric = batch.columns.flatMap((c) =>
    c.type === 'number' || c.type === 'integer' ? [c] : [],
  );
  for (let r = 0; r < batch.rows && rows.length < limit; r++) {
    const row: number[] = [];
    for (const column of numeric) {
      const value = column.values[r] as number;
      if (column.state[r] !== CELL_PRESENT || !Number.isFinite(value)) break;
      row.push(value);
    }
    if (row.length === numeric.length) rows.push(row);
  }
}
