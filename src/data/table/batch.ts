/**
 * The columnar batch every table reader yields and every profile, validation and poisoning pass
 * consumes. Readers turn untrusted files (CSV, JSON lines, Parquet, Arrow) into these; nothing
 * downstream sees the source format.
 */

/** The logical type of one column, declared by a schema or inferred by a reader. */
export type ColumnType = 'number' | 'integer' | 'boolean' | 'string';

/** Per-cell state of a typed column: present, missing (null/empty) or present but unparseable. */
export const CELL_PRESENT = 0;
/** The cell is missing: empty CSV field, JSON null or absent key, Parquet/Arrow null. */
export const CELL_MISSING = 1;
/** The cell holds text that does not parse as the column's type (e.g. "abc" in a number column). */
export const CELL_INVALID = 2;

/**
 * Values of a numeric column (`number` or `integer`). `values[i]` is meaningful only where
 * `state[i] === CELL_PRESENT`; it may be NaN or ±Infinity when the source says so.
 */
export interface NumericColumn {
  readonly type: 'number' | 'integer';
  readonly values: Float64Array;
  readonly state: Uint8Array;
  /** The raw text of invalid cells, by row index within the batch (for error messages). */
  readonly invalid?: ReadonlyMap<number, string>;
}

/** Values of a boolean column: 1 true, 0 false, meaningful where `state[i] === CELL_PRESENT`. */
export interface BooleanColumn {
  readonly type: 'boolean';
  readonly values: Uint8Array;
  readonly state: Uint8Array;
  readonly invalid?: ReadonlyMap<number, string>;
}

/** Values of a string (categorical or free-text) column; null is a missing cell. */
export interface StringColumn {
  readonly type: 'string';
  readonly values: readonly (string | null)[];
}

/** One column's values within a batch. */
export type ColumnValues = NumericColumn | BooleanColumn | StringColumn;

/** A run of rows, stored by column; every column has exactly `rows` cells. */
export interface ColumnBatch {
  /** Column names, in source order; `columns[i]` holds `names[i]`. */
  readonly names: readonly string[];
  readonly columns: readonly ColumnValues[];
  readonly rows: number;
  /** Index of this batch's first row within the whole table (0-based). */
  readonly firstRow: number;
}
