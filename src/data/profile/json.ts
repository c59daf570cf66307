/**
 * Profiles as JSON (`format: "rampart.profile/v1"`). Reading is strict: a profile file is
 * untrusted input, so the shape, every size and the counts' consistency are checked before
 * anything is built, and nothing a file says can make the reader allocate more than the limits.
 */
import * as z from 'zod';
import { RampartError } from '../../core/index.js';
import { FREQUENT_CAPACITY, FREQUENT_MAX_ITEM_LENGTH, FrequentItems } from './frequent.js';
import { HLL_MAX_RANK, HLL_REGISTERS, HyperLogLog } from './hll.js';
import {
  QuantileSketch,
  SKETCH_BIN_LIMIT,
  SKETCH_RELATIVE_ACCURACY,
  type Bins,
} from './quantile-sketch.js';
import { PROFILE_FORMAT, type ColumnProfile, type DatasetProfile } from './types.js';

/** Most columns a profile may hold. */
export const PROFILE_MAX_COLUMNS = 4096;
/** Longest column name, in UTF-16 code units. */
export const PROFILE_MAX_NAME_LENGTH = 1024;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const real = z.number().refine(Number.isFinite, 'not a finite number');
const bins = z.strictObject({
  offset: z.number().int().min(-1_000_000).max(1_000_000),
  counts: z.array(count).max(SKETCH_BIN_LIMIT),
});
const sketch = z.strictObject({
  relativeAccuracy: z.literal(SKETCH_RELATIVE_ACCURACY),
  binLimit: z.literal(SKETCH_BIN_LIMIT),
  zero: count,
  positive: bins,
  negative: bins,
});
const column = z.strictObject({
  name: z.string().min(1).max(PROFILE_MAX_NAME_LENGTH),
  type: z.enum(['number', 'integer', 'boolean', 'string']),
  count,
  missing: count,
  invalid: count,
  nan: count,
  posInf: count,
  negInf: count,
  distinct: z.strictObject({
    lgK: z.literal(12),
    registers: z.base64().length(Math.ceil(HLL_REGISTERS / 3) * 4),
  }),
  numeric: z
    .strictObject({
      n: count,
      min: real.nullable(),
      max: real.nullable(),
      mean: real,
      m2: real.min(0),
      sketch,
    })
    .optional(),
  frequent: z
    .strictObject({
      capacity: z.literal(FREQUENT_CAPACITY),
      maxError: count,
      untracked: count,
      items: z
        .array(z.tuple([z.string().max(FREQUENT_MAX_ITEM_LENGTH), count.min(1)]))
        .max(FREQUENT_CAPACITY),
    })
    .optional(),
  lengths: z.strictObject({ min: count.nullable(), max: count.nullable(), sum: count }).optional(),
});
const document = z.strictObject({
  format: z.literal(PROFILE_FORMAT),
  rows: count,
  columns: z.array(column).max(PROFILE_MAX_COLUMNS),
});

type ColumnJson = z.infer<typeof column>;
/** The JSON form of a profile. */
export type ProfileJson = z.infer<typeof document>;

/** The JSON-ready form of a profile; `JSON.stringify` of it round-trips exactly. */
export function profileToJson(profile: DatasetProfile): ProfileJson {
  return { format: PROFILE_FORMAT, rows: profile.rows, columns: profile.columns.map(columnToJson) };
}

function columnToJson(c: ColumnProfile): ColumnJson {
  const { name, type, count, missing, invalid, nan, posInf, negInf } = c;
  return {
    name,
    type,
    count,
    missing,
    invalid,
    nan,
    posInf,
    negInf,
    distinct: { lgK: 12, registers: Buffer.from(c.distinct.registers).toString('base64') },
    ...(c.numeric === undefined
      ? {}
      : {
          numeric: {
            n: c.numeric.n,
            min: c.numeric.min,
            max: c.numeric.max,
            mean: c.numeric.mean,
            m2: c.numeric.m2,
            sketch: {
              relativeAccuracy: SKETCH_RELATIVE_ACCURACY,
              binLimit: SKETCH_BIN_LIMIT,
              zero: c.numeric.sketch.zero,
              positive: mutableBins(c.numeric.sketch.positive.bins()),
              negative: mutableBins(c.numeric.sketch.negative.bins()),
            },
          },
        }),
    ...(c.frequent === undefined
      ? {}
      : {
          frequent: {
            capacity: FREQUENT_CAPACITY,
            maxError: c.frequent.maxError,
            untracked: c.frequent.untracked,
            items: c.frequent.items().map(([value, n]) => [value, n] as [string, number]),
          },
        }),
    ...(c.lengths === undefined ? {} : { lengths: { ...c.lengths } }),
  };
}

function mutableBins(bins: Bins): { offset: number; counts: number[] } {
  return { offset: bins.offset, counts: [...bins.counts] };
}

/**
 * Reads a parsed profile document, failing closed on any malformed, oversized or
 * inconsistent part. Callers should cap the bytes they parse (see docs/data-profiles.md).
 * @throws RAMPART_PROFILE_INVALID naming the path of the first problem.
 */
export function profileFromJson(json: unknown): DatasetProfile {
  const parsed = document.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const { rows, columns } = parsed.data;
  if (new Set(columns.map((c) => c.name)).size !== columns.length)
    throw invalid('columns: two columns share a name');
  return { rows, columns: columns.map((c, index) => columnFromJson(c, rows, `columns.${index}`)) };
}

function columnFromJson(c: ColumnJson, rows: number, path: string): ColumnProfile {
  const numericType = c.type === 'number' || c.type === 'integer';
  if (c.count !== rows) throw invalid(`${path}.count: ${c.count} differs from the ${rows} rows`);
  const present = c.count - c.missing - c.invalid;
  if (present < 0) throw invalid(`${path}: missing + invalid exceed count`);
  if (
    numericType !== (c.numeric !== undefined) ||
    (c.type === 'string') !== (c.lengths !== undefined)
  ) {
    throw invalid(`${path}: the summaries present do not match type ${c.type}`);
  }
  if ((c.type === 'string' || c.type === 'boolean') !== (c.frequent !== undefined)) {
    throw invalid(`${path}.frequent: present exactly for string and boolean columns`);
  }
  const registers = Buffer.from(c.distinct.registers, 'base64');
  if (registers.length !== HLL_REGISTERS || registers.some((rank) => rank > HLL_MAX_RANK)) {
    throw invalid(
      `${path}.distinct.registers: not ${HLL_REGISTERS} registers of at most ${HLL_MAX_RANK}`,
    );
  }
  const profile = {
    name: c.name,
    type: c.type,
    count: c.count,
    missing: c.missing,
    invalid: c.invalid,
    nan: c.nan,
    posInf: c.posInf,
    negInf: c.negInf,
    distinct: new HyperLogLog(new Uint8Array(registers)),
  };
  const numeric =
    c.numeric === undefined
      ? undefined
      : numericFromJson(c.numeric, present - c.nan - c.posInf - c.negInf, `${path}.numeric`);
  if (!numericType && c.nan + c.posInf + c.negInf > 0)
    throw invalid(`${path}: NaN/infinity counts on a ${c.type} column`);
  if (c.frequent !== undefined) {
    const held = c.frequent.items.reduce((sum, [, n]) => sum + n, 0);
    if (
      held + c.frequent.untracked > present ||
      new Set(c.frequent.items.map(([v]) => v)).size !== c.frequent.items.length
    ) {
      throw invalid(
        `${path}.frequent: items repeat or count more than the ${present} present values`,
      );
    }
  }
  if (c.lengths !== undefined && (c.lengths.min === null) !== (present === 0)) {
    throw invalid(`${path}.lengths: min/max must be null exactly when no value is present`);
  }
  return {
    ...profile,
    ...(numeric === undefined ? {} : { numeric }),
    ...(c.frequent === undefined
      ? {}
      : {
          frequent: FrequentItems.restore(
            c.frequent.items,
            c.frequent.maxError,
            c.frequent.untracked,
          ),
        }),
    ...(c.lengths === undefined ? {} : { lengths: c.lengths }),
  };
}

function numericFromJson(
  n: NonNullable<ColumnJson['numeric']>,
  finite: number,
  path: string,
): NonNullable<ColumnProfile['numeric']> {
  if (n.n !== finite)
    throw invalid(`${path}.n: ${n.n} differs from the ${finite} finite values the counts imply`);
  if (
    (n.min === null) !== (n.n === 0) ||
    (n.max === null) !== (n.n === 0) ||
    (n.min !== null && n.max !== null && n.min > n.max)
  ) {
    throw invalid(`${path}: min/max must be null exactly when n is 0, and min ≤ max`);
  }
  const sketch = new QuantileSketch();
  sketch.positive.addBins(n.sketch.positive);
  sketch.negative.addBins(n.sketch.negative);
  sketch.zero = n.sketch.zero;
  if (sketch.count !== n.n)
    throw invalid(`${path}.sketch: holds ${sketch.count} values, not ${n.n}`);
  return { n: n.n, min: n.min, max: n.max, mean: n.mean, m2: n.m2, sketch };
}

function invalid(problem: string): RampartError {
  return new RampartError('RAMPART_PROFILE_INVALID', `the profile is not valid: ${problem}`);
}
