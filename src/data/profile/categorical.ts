/** Accumulates string and boolean columns: counts, HLL distinct, frequent items, lengths. */
import {
  CELL_MISSING,
  CELL_PRESENT,
  type BooleanColumn,
  type StringColumn,
} from '../table/batch.js';
import { FrequentItems } from './frequent.js';
import { hashString } from './hash.js';
import { HyperLogLog } from './hll.js';
import type { ColumnProfile } from './types.js';

const PENDING_LIMIT = 4096;

/** One string column's running state. */
export class StringAccumulator {
  count = 0;
  missing = 0;
  minLength = Infinity;
  maxLength = -Infinity;
  lengthSum = 0;
  readonly distinct = new HyperLogLog();
  readonly frequent = new FrequentItems();
  private readonly hash = new Uint32Array(2);
  // Occurrences per value since the last flush: a value repeated within a batch is hashed,
  // measured and counted once, with its weight (one map update per cell instead of a hash, a
  // HyperLogLog update and two map operations).
  private readonly pending = new Map<string, number>();

  constructor(readonly name: string) {}

  /** Adds the first `rows` cells of `column`. */
  add(column: StringColumn, rows: number): void {
    const { values } = column;
    const pending = this.pending;
    for (let i = 0; i < rows; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        this.missing++;
        continue;
      }
      pending.set(value, (pending.get(value) ?? 0) + 1);
      // Bounded, so that a column of unique values does not hold a whole batch here.
      if (pending.size >= PENDING_LIMIT) this.flush();
    }
    this.flush();
    this.count += rows;
  }

  private flush(): void {
    const { distinct, frequent, hash } = this;
    for (const [value, weight] of this.pending) {
      const length = value.length;
      if (length < this.minLength) this.minLength = length;
      if (length > this.maxLength) this.maxLength = length;
      this.lengthSum += length * weight;
      hashString(value, hash);
      distinct.add(hash[0] ?? 0, hash[1] ?? 0);
      frequent.add(value, weight);
    }
    this.pending.clear();
  }

  /** The finished column profile. */
  finish(): ColumnProfile {
    const empty = this.count === this.missing;
    return {
      ...zeroCounts(this.name, 'string', this.count, this.missing, 0),
      distinct: this.distinct,
      frequent: this.frequent,
      lengths: {
        min: empty ? null : this.minLength,
        max: empty ? null : this.maxLength,
        sum: this.lengthSum,
      },
    };
  }
}

/** One boolean column's running state: exact true/false counts. */
export class BooleanAccumulator {
  count = 0;
  missing = 0;
  invalid = 0;
  trues = 0;
  falses = 0;

  constructor(readonly name: string) {}

  /** Adds the first `rows` cells of `column`. */
  add(column: BooleanColumn, rows: number): void {
    const { values, state } = column;
    for (let i = 0; i < rows; i++) {
      const cell = state[i];
      if (cell === CELL_PRESENT) {
        if (values[i] === 1) this.trues++;
        else this.falses++;
      } else if (cell === CELL_MISSING) this.missing++;
      else this.invalid++;
    }
    this.count += rows;
  }

  /** The finished column profile ("true"/"false" as frequent items, always exact). */
  finish(): ColumnProfile {
    const distinct = new HyperLogLog();
    const frequent = new FrequentItems();
    const hash = new Uint32Array(2);
    for (const [value, weight] of [
      ['true', this.trues],
      ['false', this.falses],
    ] as const) {
      if (weight === 0) continue;
      frequent.add(value, weight);
      hashString(value, hash);
      distinct.add(hash[0] ?? 0, hash[1] ?? 0);
    }
    return {
      ...zeroCounts(this.name, 'boolean', this.count, this.missing, this.invalid),
      distinct,
      frequent,
    };
  }
}

function zeroCounts(
  name: string,
  type: 'string' | 'boolean',
  count: number,
  missing: number,
  invalid: number,
): Pick<
  ColumnProfile,
  'name' | 'type' | 'count' | 'missing' | 'invalid' | 'nan' | 'posInf' | 'negInf'
> {
  return { name, type, count, missing, invalid, nan: 0, posInf: 0, negInf: 0 };
}
