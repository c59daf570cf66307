import { RampartError } from '../../core/index.js';
import type { ErrorCode } from '../../core/index.js';
import type { ColumnBatch, ColumnType } from './batch.js';

/** The file formats a table reader understands. */
export type TableFormat = 'csv' | 'jsonl' | 'parquet' | 'arrow';

/** Limits on untrusted table files; every one is enforced with RAMPART_TABLE_LIMIT_EXCEEDED. */
export interface TableLimits {
  /** Most columns a table may have (default 4,096). */
  readonly maxColumns: number;
  /** Longest CSV record or JSON line, in characters after UTF-8 decoding (default 1 Mi). */
  readonly maxRecordBytes: number;
  /** Longest column name, in characters (default 1,024). */
  readonly maxNameLength: number;
  /** Most data rows; Infinity (the default) means no limit. */
  readonly maxRows: number;
}

/** Options of {@link openTable}; every field is optional. */
export interface ReadTableOptions {
  /** The format; by default taken from the extension and checked against the file's magic bytes. */
  readonly format?: TableFormat;
  /** Declared column types; they win over inference and over the file's own types. */
  readonly columns?: Readonly<Record<string, ColumnType>>;
  /** Rows per batch (default 65,536). */
  readonly batchRows?: number;
  /** Rows read to infer CSV and JSON-lines column types (default 1,000). */
  readonly inferRows?: number;
  /** CSV field delimiter, one character (default `,`, or tab for .tsv). */
  readonly delimiter?: string;
  readonly limits?: Partial<TableLimits>;
  /**
   * Parquet only: read row groups [from, to) instead of all, so that parts of one file can be
   * read in parallel (see `profileTable`). Row counts and limits then cover those groups.
   */
  readonly rowGroups?: RowGroupRange;
  /**
   * The caller is done with each batch once it asks for the next one, so a reader may refill
   * the same arrays instead of allocating new ones (Parquet does; fewer garbage collections).
   * A kept batch would then change under its holder: only for one-pass consumers (profiles).
   */
  readonly reuseBatches?: boolean;
}

/** A range of Parquet row groups, [from, to). */
export interface RowGroupRange {
  readonly from: number;
  readonly to: number;
}

/** One column of a table's schema. */
export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** True when the type came from `options.columns`, false when inferred or read from the file. */
  readonly declared: boolean;
}

/** An opened table: its format and schema, and its rows as columnar batches. */
export interface TableReader {
  readonly path: string;
  readonly format: TableFormat;
  readonly schema: readonly TableColumn[];
  /** Parquet: the file's number of row groups (whatever `rowGroups` selects). */
  readonly rowGroups?: number;
  /** Streams the table from the start; each call reads the file afresh. */
  batches(): AsyncIterable<ColumnBatch>;
}

/** Defaults of {@link TableLimits}. */
export const DEFAULT_TABLE_LIMITS: TableLimits = Object.freeze({
  maxColumns: 4096,
  maxRecordBytes: 1024 * 1024,
  maxNameLength: 1024,
  maxRows: Number.POSITIVE_INFINITY,
});
/** Default rows per batch. */
export const DEFAULT_BATCH_ROWS = 65_536;
/** Default rows read for type inference. */
export const DEFAULT_INFER_ROWS = 1000;

/** Options after defaults, validated and frozen. */
export interface ResolvedTableOptions {
  readonly path: string;
  readonly columns: ReadonlyMap<string, ColumnType>;
  readonly batchRows: number;
  readonly inferRows: number;
  readonly delimiter: string;
  readonly limits: TableLimits;
  readonly rowGroups: RowGroupRange | null;
  readonly reuseBatches: boolean;
}

const TYPES: ReadonlySet<string> = new Set(['number', 'integer', 'boolean', 'string']);

function badOption(message: string): never {
  throw new RampartError('RAMPART_TABLE_OPTIONS_INVALID', message);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) badOption(`${name} must be a positive integer`);
  return value;
}

/** Checks `options` and fills in defaults. */
export function resolveTableOptions(
  path: string,
  options: ReadTableOptions,
  tsv: boolean,
): ResolvedTableOptions {
  const columns = new Map<string, ColumnType>();
  for (const [name, type] of Object.entries(options.columns ?? {})) {
    if (!TYPES.has(type)) badOption(`declared type of column ${JSON.stringify(name)} is not known`);
    columns.set(name, type);
  }
  const delimiter = options.delimiter ?? (tsv ? '\t' : ',');
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    badOption('delimiter must be one character other than a quote or a line break');
  }
  const given = options.limits ?? {};
  const maxRows = given.maxRows ?? DEFAULT_TABLE_LIMITS.maxRows;
  if (maxRows !== Number.POSITIVE_INFINITY) positiveInteger('limits.maxRows', maxRows, 0);
  const limits: TableLimits = Object.freeze({
    maxColumns: positiveInteger('limits.maxColumns', given.maxColumns, 4096),
    maxRecordBytes: positiveInteger('limits.maxRecordBytes', given.maxRecordBytes, 1024 * 1024),
    maxNameLength: positiveInteger('limits.maxNameLength', given.maxNameLength, 1024),
    maxRows,
  });
  const range = options.rowGroups;
  const validRange =
    range === undefined ||
    (Number.isSafeInteger(range.from) &&
      Number.isSafeInteger(range.to) &&
      0 <= range.from &&
      range.from <= range.to);
  if (!validRange) {
    badOption('rowGroups must be whole numbers with 0 ≤ from ≤ to');
  }
  return Object.freeze({
    path,
    columns,
    batchRows: positiveInteger('batchRows', options.batchRows, DEFAULT_BATCH_ROWS),
    inferRows: positiveInteger('inferRows', options.inferRows, DEFAULT_INFER_ROWS),
    delimiter,
    limits,
    rowGroups: range === undefined ? null : Object.freeze({ from: range.from, to: range.to }),
    reuseBatches: options.reuseBatches === true,
  });
}

/** A table-reader error naming the file. */
export function tableError(
  code: ErrorCode,
  path: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): RampartError {
  return new RampartError(code, `${path}: ${message}`, {
    details: { path, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Refuses a table whose column names are too many, too long, empty or repeated. */
export function checkColumnNames(names: readonly string[], options: ResolvedTableOptions): void {
  const { path, limits } = options;
  if (names.length > limits.maxColumns) {
    throw tableError(
      'RAMPART_TABLE_LIMIT_EXCEEDED',
      path,
      `${names.length} columns, more than the limit of ${limits.maxColumns}`,
      { limit: 'maxColumns' },
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (name.length > limits.maxNameLength) {
      throw tableError(
        'RAMPART_TABLE_LIMIT_EXCEEDED',
        path,
        `a column name is ${name.length} characters long, more than the limit of ${limits.maxNameLength}`,
        { limit: 'maxNameLength' },
      );
    }
    if (name === '') throw tableError('RAMPART_TABLE_SCHEMA_INVALID', path, 'a column has no name');
    if (seen.has(name)) {
      throw tableError(
        'RAMPART_TABLE_SCHEMA_INVALID',
        path,
        `column ${JSON.stringify(name)} appears twice`,
        {
          column: name,
        },
      );
    }
    seen.add(name);
  }
}

/** Refuses a declared column the file does not have. */
export function checkDeclaredPresent(
  names: readonly string[],
  options: ResolvedTableOptions,
): void {
  const present = new Set(names);
  for (const name of options.columns.keys()) {
    if (!present.has(name)) {
      throw tableError(
        'RAMPART_TABLE_SCHEMA_INVALID',
        options.path,
        `declared column ${JSON.stringify(name)} is not in the file`,
        { column: name },
      );
    }
  }
}

/** Refuses the row that takes the table past `limits.maxRows`. */
export function checkRowCount(rows: number, options: ResolvedTableOptions): void {
  if (rows > options.limits.maxRows) {
    throw tableError(
      'RAMPART_TABLE_LIMIT_EXCEEDED',
      options.path,
      `more than the limit of ${options.limits.maxRows} rows`,
      { limit: 'maxRows' },
    );
  }
}
