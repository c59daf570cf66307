import { RampartError } from '../../core/index.js';
import { CELL_INVALID, CELL_MISSING } from './batch.js';
import type { ColumnBatch, ColumnType, ColumnValues } from './batch.js';
import { isNaText, parseBooleanText, parseIntegerText, parseNumberText } from './cells.js';

/** Invalid cells whose raw text is kept, per column and batch; the rest only count as invalid. */
export const MAX_INVALID_SAMPLES = 100;
/** Characters of raw text kept per invalid cell. */
export const MAX_INVALID_TEXT = 200;

/** Thrown by {@link ColumnBuilder.setValue} for a nested value in a column not declared string. */
export class NestedValueError extends RampartError {
  constructor(readonly column: number) {
    super('RAMPART_TABLE_SCHEMA_INVALID', `column ${column} holds a nested value`);
  }
}

/** Fills one column of a batch from text or from decoded values, then hands out its values. */
export interface ColumnBuilder {
  /** Sets row `row` from CSV text (NA spellings are missing). */
  setText(row: number, text: string): void;
  /** Sets row `row` from a JSON, Parquet or Arrow value (null and undefined are missing). */
  setValue(row: number, value: unknown): void;
  /** The filled values of rows [0, rows). */
  finish(rows: number): ColumnValues;
}

type Numeric = number | undefined;

function invalidText(value: unknown): string {
  const json: string | undefined = typeof value === 'bigint' ? undefined : JSON.stringify(value);
  const text = typeof value === 'string' ? value : (json ?? String(value));
  return text.length > MAX_INVALID_TEXT ? text.slice(0, MAX_INVALID_TEXT) : text;
}

/**
 * Two arrays of one kind, handed out in turn when batches are reused: the batch returned last
 * stays intact while the next one fills the other array (the reader's consumer has finished with
 * the one before, since it asked for the next batch).
 */
class Spare<T> {
  #spare: T | undefined;

  constructor(private readonly make: () => T) {}

  /** The array to fill next, given the one just handed out. */
  swap(handedOut: T): T {
    const next = this.#spare ?? this.make();
    this.#spare = handedOut;
    return next;
  }
}

class TypedBuilder {
  /** Cell states of the batch being filled (replaced by finish). */
  state: Uint8Array;
  invalid: Map<number, string> | undefined;
  readonly #spareState: Spare<Uint8Array> | undefined;

  constructor(capacity: number, reuse: boolean) {
    this.state = new Uint8Array(capacity);
    this.#spareState = reuse ? new Spare(() => new Uint8Array(capacity)) : undefined;
  }

  markInvalid(row: number, raw: unknown): void {
    this.state[row] = CELL_INVALID;
    this.invalid ??= new Map();
    if (this.invalid.size < MAX_INVALID_SAMPLES) this.invalid.set(row, invalidText(raw));
  }

  /** The states of rows [0, rows), handing over the whole array when the batch is full. */
  takeState(rows: number): Uint8Array {
    this.invalid = undefined;
    const state = this.state;
    if (this.#spareState !== undefined) {
      this.state = this.#spareState.swap(state);
      this.state.fill(0);
      return rows === state.length ? state : state.subarray(0, rows);
    }
    if (rows === state.length) {
      this.state = new Uint8Array(rows);
      return state;
    }
    const taken = state.slice(0, rows);
    state.fill(0);
    return taken;
  }
}

/** A numeric column's builder; the CSV scanner writes parsed cells straight into {@link numbers}. */
export class NumericBuilder extends TypedBuilder implements ColumnBuilder {
  private values: Float64Array;
  private readonly parse: (text: string) => Numeric;
  readonly #spare: Spare<Float64Array> | undefined;

  constructor(
    readonly type: 'number' | 'integer',
    private readonly capacity: number,
    private readonly column: number,
    private readonly declared: boolean,
    reuse = false,
  ) {
    super(capacity, reuse);
    this.values = new Float64Array(capacity);
    this.parse = type === 'integer' ? parseIntegerText : parseNumberText;
    // Reused values are not cleared: a missing or invalid cell's value is never read.
    this.#spare = reuse ? new Spare(() => new Float64Array(capacity)) : undefined;
  }

  /** The values of the batch being filled (replaced by {@link finish}). */
  get numbers(): Float64Array {
    return this.values;
  }

  setText(row: number, text: string): void {
    if (isNaText(text)) {
      this.state[row] = CELL_MISSING;
      return;
    }
    const value = this.parse(text);
    if (value === undefined) this.markInvalid(row, text);
    else this.values[row] = value;
  }

  setValue(row: number, value: unknown): void {
    if (typeof value === 'number') {
      if (this.type === 'integer' && !Number.isSafeInteger(value)) this.markInvalid(row, value);
      else this.values[row] = value;
    } else if (value === null || value === undefined) {
      this.state[row] = CELL_MISSING;
    } else if (typeof value === 'bigint') {
      const asNumber = Number(value);
      if (Number.isSafeInteger(asNumber)) this.values[row] = asNumber;
      else this.markInvalid(row, value);
    } else if (typeof value === 'string') {
      this.setText(row, value);
    } else if (typeof value === 'object' && !this.declared) {
      throw new NestedValueError(this.column);
    } else {
      this.markInvalid(row, value);
    }
  }

  /** Copies a run of plain numbers (Parquet/Arrow typed arrays without nulls) at `row`. */
  setNumbers(row: number, source: ArrayLike<number>): void {
    this.values.set(source, row);
    // 32-bit integers are always safe; floats may not be whole.
    if (
      this.type === 'integer' &&
      !(source instanceof Int32Array || source instanceof Uint32Array)
    ) {
      for (let i = 0; i < source.length; i++) {
        const v = source[i] ?? 0;
        if (!Number.isSafeInteger(v)) this.markInvalid(row + i, v);
      }
    }
  }

  /**
   * Sets `take` rows at `row` from Parquet's dense values: where `present[offset + i]` is 1 the
   * next value from `dense[k]` on, else a missing cell. Returns the next dense index.
   */
  setPresentNumbers(
    row: number,
    dense: ArrayLike<number>,
    k: number,
    present: Uint8Array,
    offset: number,
    take: number,
  ): number {
    const values = this.values;
    const state = this.state;
    const integer = this.type === 'integer';
    let next = k;
    for (let i = 0; i < take; i++) {
      if (present[offset + i] === 1) {
        const v = dense[next++] as number;
        if (integer && !Number.isSafeInteger(v)) this.markInvalid(row + i, v);
        else values[row + i] = v;
      } else {
        state[row + i] = CELL_MISSING;
      }
    }
    return next;
  }

  finish(rows: number): ColumnValues {
    const values = this.values;
    const column = {
      type: this.type,
      values: rows === this.capacity ? values : reusedOrCopy(values, rows, this.#spare),
      ...(this.invalid === undefined ? {} : { invalid: this.invalid }),
      state: this.takeState(rows),
    };
    this.values = this.#spare?.swap(values) ?? new Float64Array(this.capacity);
    return column;
  }
}

/** A boolean column's builder. */
export class BooleanBuilder extends TypedBuilder implements ColumnBuilder {
  private values: Uint8Array;
  readonly #spare: Spare<Uint8Array> | undefined;

  constructor(
    private readonly capacity: number,
    private readonly column: number,
    private readonly declared: boolean,
    reuse = false,
  ) {
    super(capacity, reuse);
    this.values = new Uint8Array(capacity);
    this.#spare = reuse ? new Spare(() => new Uint8Array(capacity)) : undefined;
  }

  /** The values of the batch being filled (replaced by {@link finish}). */
  get flags(): Uint8Array {
    return this.values;
  }

  setText(row: number, text: string): void {
    if (isNaText(text)) {
      this.state[row] = CELL_MISSING;
      return;
    }
    const value = parseBooleanText(text);
    if (value === undefined) this.markInvalid(row, text);
    else this.values[row] = value;
  }

  setValue(row: number, value: unknown): void {
    if (typeof value === 'boolean') this.values[row] = value ? 1 : 0;
    else if (value === null || value === undefined) this.state[row] = CELL_MISSING;
    else if (typeof value === 'string') this.setText(row, value);
    else if (typeof value === 'object' && !this.declared) throw new NestedValueError(this.column);
    else this.markInvalid(row, value);
  }

  finish(rows: number): ColumnValues {
    const values = this.values;
    const column = {
      type: 'boolean' as const,
      values: rows === this.capacity ? values : reusedOrCopy(values, rows, this.#spare),
      ...(this.invalid === undefined ? {} : { invalid: this.invalid }),
      state: this.takeState(rows),
    };
    // Unlike numbers, flags are cleared: setValue writes only the true ones' 1.
    this.values = this.#spare?.swap(values).fill(0) ?? new Uint8Array(this.capacity);
    return column;
  }
}

/** A string column's builder. */
export class StringBuilder implements ColumnBuilder {
  private values: (string | null)[];
  readonly #spare: Spare<(string | null)[]> | undefined;

  constructor(
    private readonly capacity: number,
    private readonly column: number,
    private readonly declared: boolean,
    reuse = false,
  ) {
    this.values = new Array<string | null>(capacity).fill(null);
    this.#spare = reuse
      ? new Spare(() => new Array<string | null>(capacity).fill(null))
      : undefined;
  }

  /** The values of the batch being filled (replaced by {@link finish}). */
  get strings(): (string | null)[] {
    return this.values;
  }

  setText(row: number, text: string): void {
    this.values[row] = isNaText(text) ? null : text;
  }

  setValue(row: number, value: unknown): void {
    if (typeof value === 'string') this.values[row] = value;
    else if (value === null || value === undefined) this.values[row] = null;
    else if (typeof value === 'object') this.values[row] = this.stringify(value);
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      this.values[row] = String(value);
    } else this.values[row] = null;
  }

  private stringify(value: object): string {
    // Binary cells (Parquet/Arrow) are text in base64, not nested values.
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    if (!this.declared) throw new NestedValueError(this.column);
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }

  finish(rows: number): ColumnValues {
    const filled = this.values;
    const values = rows === this.capacity ? filled : filled.slice(0, rows);
    this.values =
      this.#spare?.swap(filled).fill(null) ?? new Array<string | null>(this.capacity).fill(null);
    return { type: 'string', values };
  }
}

/** A builder of one column of type `type`, holding up to `capacity` rows. */
export function columnBuilder(
  type: ColumnType,
  capacity: number,
  column: number,
  declared: boolean,
  reuse = false,
): ColumnBuilder & {
  setNumbers?: NumericBuilder['setNumbers'];
  setPresentNumbers?: NumericBuilder['setPresentNumbers'];
} {
  switch (type) {
    case 'number':
    case 'integer':
      return new NumericBuilder(type, capacity, column, declared, reuse);
    case 'boolean':
      return new BooleanBuilder(capacity, column, declared, reuse);
    case 'string':
      return new StringBuilder(capacity, column, declared, reuse);
  }
}

/** Builders for every column of a schema, batch after batch. */
export class BatchBuilder {
  readonly builders: ReturnType<typeof columnBuilder>[];

  constructor(
    readonly names: readonly string[],
    types: readonly ColumnType[],
    declared: readonly boolean[],
    readonly capacity: number,
    /** See {@link ReadTableOptions.reuseBatches}. */
    reuse = false,
  ) {
    this.builders = types.map((type, i) =>
      columnBuilder(type, capacity, i, declared[i] ?? false, reuse),
    );
  }

  /** The batch of rows [0, rows), starting at table row `firstRow`; the builders start afresh. */
  finish(rows: number, firstRow: number): ColumnBatch {
    return {
      names: this.names,
      columns: this.builders.map((b) => b.finish(rows)),
      rows,
      firstRow,
    };
  }
}

// The first `rows` of a reused array are a view (the batch is valid until the next one);
// otherwise a copy, as the array will be filled again.
function reusedOrCopy<T extends Float64Array | Uint8Array>(
  values: T,
  rows: number,
  spare: Spare<T> | undefined,
): T {
  return (spare === undefined ? values.slice(0, rows) : values.subarray(0, rows)) as T;
}
