/** Builds a dataset profile from column batches in one pass, in memory bounded per column. */
import { RampartError } from '../../core/index.js';
import type { ColumnBatch, ColumnValues } from '../table/batch.js';
import { BooleanAccumulator, StringAccumulator } from './categorical.js';
import { NumericAccumulator } from './numeric.js';
import type { DatasetProfile } from './types.js';

type Accumulator = NumericAccumulator | StringAccumulator | BooleanAccumulator;

/**
 * Profiles a table batch by batch. The first batch fixes the column names, order and types;
 * later batches must match them.
 */
export class ProfileBuilder {
  private accumulators: Accumulator[] | null = null;
  private names: readonly string[] = [];
  private rows = 0;

  /**
   * Adds one batch.
   * @throws RAMPART_PROFILE_MISMATCH when its columns differ from the first batch's.
   */
  add(batch: ColumnBatch): void {
    if (batch.names.length !== batch.columns.length) {
      throw mismatch(
        `a batch names ${batch.names.length} columns but holds ${batch.columns.length}`,
      );
    }
    const accumulators = (this.accumulators ??= this.start(batch));
    batch.columns.forEach((column, index) => {
      const name = batch.names[index] ?? '';
      const accumulator = accumulators[index];
      if (name !== this.names[index] || accumulator === undefined) {
        throw mismatch(
          `batch at row ${batch.firstRow} has column ${JSON.stringify(name)} where the first batch had ${JSON.stringify(this.names[index] ?? null)}`,
        );
      }
      addColumn(accumulator, column, batch.rows);
    });
    this.rows += batch.rows;
  }

  /** The profile of every row added so far. */
  finish(): DatasetProfile {
    return {
      rows: this.rows,
      columns: (this.accumulators ?? []).map((accumulator) => accumulator.finish()),
    };
  }

  private start(batch: ColumnBatch): Accumulator[] {
    this.names = [...batch.names];
    if (new Set(this.names).size !== this.names.length) {
      throw mismatch('the batch has two columns with the same name');
    }
    return batch.columns.map((column, index) => {
      const name = batch.names[index] ?? '';
      switch (column.type) {
        case 'number':
        case 'integer':
          return new NumericAccumulator(name, column.type);
        case 'string':
          return new StringAccumulator(name);
        case 'boolean':
          return new BooleanAccumulator(name);
      }
    });
  }
}

function addColumn(accumulator: Accumulator, column: ColumnValues, rows: number): void {
  if (column.values.length < rows) {
    throw mismatch(
      `column ${JSON.stringify(accumulator.name)} holds ${column.values.length} cells in a batch of ${rows} rows`,
    );
  }
  if (accumulator instanceof NumericAccumulator && column.type === accumulator.type) {
    accumulator.add(column, rows);
  } else if (accumulator instanceof StringAccumulator && column.type === 'string') {
    accumulator.add(column, rows);
  } else if (accumulator instanceof BooleanAccumulator && column.type === 'boolean') {
    accumulator.add(column, rows);
  } else {
    const expected =
      accumulator instanceof NumericAccumulator
        ? accumulator.type
        : accumulator instanceof StringAccumulator
          ? 'string'
          : 'boolean';
    throw mismatch(
      `column ${JSON.stringify(accumulator.name)} changed type from ${expected} to ${column.type} between batches`,
    );
  }
}

function mismatch(message: string): RampartError {
  return new RampartError('RAMPART_PROFILE_MISMATCH', message);
}
