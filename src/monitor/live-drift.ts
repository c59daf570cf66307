/**
 * Live input drift: the rows a served model receives are gathered per time window and, when a
 * window closes, compared column by column with the data the served version was trained on
 * (strict mode: KS with Benjamini–Hochberg and an effect-size floor). A drifted window raises a
 * drift alert. Memory is bounded: a window keeps at most `maxRows` rows (later rows are counted,
 * not kept — a uniform sample would need randomness the window does not need for a verdict).
 */
import { compareTables, type CollectedTable, type DriftReport } from '../data/index.js';

/** Settings of a {@link DriftWindow}. */
export interface DriftWindowOptions {
  /** The training data, collected once (numeric columns only are used). */
  readonly reference: CollectedTable;
  readonly windowMs: number;
  /** A window with fewer rows is not judged (too little evidence). */
  readonly minRows: number;
  readonly maxRows: number;
  readonly now?: () => number;
}

/** The verdict on one closed window. */
export interface WindowReport {
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  /** Rows seen but not kept because the window was full. */
  readonly skipped: number;
  readonly drift: DriftReport;
}

/** One served model's current window of input rows. */
export class DriftWindow {
  readonly #reference: CollectedTable;
  readonly #columns: readonly string[];
  readonly #options: DriftWindowOptions;
  readonly #now: () => number;
  #start: number;
  #values: number[][];
  #rows = 0;
  #skipped = 0;

  constructor(options: DriftWindowOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    // The input features are the reference's numeric columns, in order.
    this.#columns = [...options.reference.columns.values()]
      .filter((c) => c.numbers !== undefined)
      .map((c) => c.name);
    const numeric = new Map(
      this.#columns.map((name) => [name, options.reference.columns.get(name)] as const),
    );
    this.#reference = {
      rows: options.reference.rows,
      columns: numeric as CollectedTable['columns'],
    };
    this.#values = this.#columns.map(() => []);
  }

  /** How many features a row must have to be compared with the reference. */
  get width(): number {
    return this.#columns.length;
  }

  /** Adds one input row (its features in the reference's column order). */
  add(row: ArrayLike<number>): void {
    if (this.#rows >= this.#options.maxRows) {
      this.#skipped++;
      return;
    }
    for (let i = 0; i < this.#values.length; i++) this.#values[i]?.push(row[i] ?? Number.NaN);
    this.#rows++;
  }

  /** Closes the window when its time is up; the report when it had enough rows. */
  tick(): WindowReport | undefined {
    const end = this.#now();
    if (end - this.#start < this.#options.windowMs) return undefined;
    const start = this.#start;
    const rows = this.#rows;
    const skipped = this.#skipped;
    const values = this.#values;
    this.#start = end;
    this.#rows = 0;
    this.#skipped = 0;
    this.#values = this.#columns.map(() => []);
    if (rows < this.#options.minRows) return undefined;
    const current: CollectedTable = {
      rows,
      columns: new Map(
        this.#columns.map((name, i) => [
          name,
          {
            name,
            type: this.#reference.columns.get(name)?.type ?? 'number',
            numbers: Float64Array.from(values[i] ?? [])
              .filter((v) => !Number.isNaN(v))
              .sort(),
          },
        ]),
      ),
    };
    return {
      start,
      end,
      rows,
      skipped,
      drift: compareTables(this.#reference, current, { mode: 'strict' }),
    };
  }
}
