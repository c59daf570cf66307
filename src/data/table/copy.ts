import type { ColumnBatch } from './batch.js';
import { NestedValueError } from './columns.js';
import type { BatchBuilder, columnBuilder } from './columns.js';
import type { ColumnRun } from './parquet-pages.js';

type Builder = ReturnType<typeof columnBuilder>;

/** A typed array of plain numbers: copied whole into a numeric column, no per-cell checks. */
function isNumberArray(
  source: ArrayLike<unknown>,
): source is ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> } {
  return (
    source instanceof Float64Array ||
    source instanceof Float32Array ||
    source instanceof Int32Array ||
    source instanceof Uint32Array ||
    source instanceof Int16Array ||
    source instanceof Uint16Array ||
    source instanceof Int8Array
  );
}

/** Copies `take` decoded values of a Parquet or Arrow column from `offset` into `target` at `row`. */
export function copyColumn(
  target: Builder,
  source: ArrayLike<unknown>,
  offset: number,
  take: number,
  row: number,
): void {
  if (target.setNumbers !== undefined && isNumberArray(source)) {
    target.setNumbers(row, source.subarray(offset, offset + take));
    return;
  }
  for (let i = 0; i < take; i++) target.setValue(row + i, source[offset + i]);
}

/** Copies `take` rows of a column with nulls from row `offset` (dense index `k`); returns the next `k`. */
function copyPresent(
  target: Builder,
  dense: ArrayLike<unknown>,
  k: number,
  present: Uint8Array,
  offset: number,
  take: number,
  row: number,
): number {
  if (target.setPresentNumbers !== undefined && isNumberArray(dense)) {
    return target.setPresentNumbers(row, dense, k, present, offset, take);
  }
  let next = k;
  for (let i = 0; i < take; i++) {
    target.setValue(row + i, present[offset + i] === 1 ? dense[next++] : null);
  }
  return next;
}

/** Cuts runs of decoded columns (Parquet ranges, Arrow record batches) into batches of `capacity` rows. */
export class Rebatcher {
  private row = 0;
  private firstRow = 0;

  constructor(
    private readonly builder: BatchBuilder,
    private readonly onNested: (column: number) => Error,
  ) {}

  /** Adds `length` rows held by `data` (one array per column); yields every batch that fills up. */
  *push(data: readonly ArrayLike<unknown>[], length: number): Generator<ColumnBatch> {
    const capacity = this.builder.capacity;
    for (let offset = 0; offset < length;) {
      const take = Math.min(capacity - this.row, length - offset);
      for (const [c, target] of this.builder.builders.entries()) {
        try {
          copyColumn(target, data[c] ?? [], offset, take, this.row);
        } catch (error) {
          if (error instanceof NestedValueError) throw this.onNested(c);
          throw error;
        }
      }
      offset += take;
      this.row += take;
      if (this.row === capacity) yield this.flush();
    }
  }

  /** Adds `length` rows of Parquet column runs (dense values and null masks); yields full batches. */
  *pushRuns(runs: readonly ColumnRun[], length: number): Generator<ColumnBatch> {
    const capacity = this.builder.capacity;
    const cursors = runs.map(() => 0);
    for (let offset = 0; offset < length;) {
      const take = Math.min(capacity - this.row, length - offset);
      for (const [c, target] of this.builder.builders.entries()) {
        const run = runs[c] ?? { dense: [], present: null };
        try {
          if (run.present === null) copyColumn(target, run.dense, offset, take, this.row);
          else {
            cursors[c] = copyPresent(
              target,
              run.dense,
              cursors[c] ?? 0,
              run.present,
              offset,
              take,
              this.row,
            );
          }
        } catch (error) {
          if (error instanceof NestedValueError) throw this.onNested(c);
          throw error;
        }
      }
      offset += take;
      this.row += take;
      if (this.row === capacity) yield this.flush();
    }
  }

  /** The batch of the rows added since the last one. */
  flush(): ColumnBatch {
    const batch = this.builder.finish(this.row, this.firstRow);
    this.firstRow += this.row;
    this.row = 0;
    return batch;
  }

  /** True when rows wait for {@link flush}. */
  get pending(): boolean {
    return this.row > 0;
  }
}
