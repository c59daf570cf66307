/**
 * Infers a schema from a reference profile, TFDV style, for people to review and edit: every
 * column required with its observed type, missing rates, widened ranges, enumerated domains for
 * small exact categorical columns, and uniqueness where it was observed.
 */
import {
  distinctCount,
  presentCount,
  type ColumnProfile,
  type DatasetProfile,
} from '../profile/index.js';
import { SCHEMA_FORMAT, type AllowedValue, type ColumnRule, type DataSchema } from './parse.js';

/** Knobs of {@link inferSchema}; the defaults are documented in docs/data-schema.md. */
export interface InferOptions {
  /** Largest enumerated domain (TFDV's `max_string_domain_size`, default 100). */
  readonly maxDomainSize?: number;
  /** Ranges widen by this fraction of (max − min) on each side (default 0.1). */
  readonly rangeMargin?: number;
  /** Fewest present values before a column may be declared unique (default 20). */
  readonly minUniqueRows?: number;
}

/** A schema that the reference profile passes, with room for ordinary variation. */
export function inferSchema(profile: DatasetProfile, options: InferOptions = {}): DataSchema {
  const settings = { maxDomainSize: 100, rangeMargin: 0.1, minUniqueRows: 20, ...options };
  const columns: Record<string, ColumnRule> = {};
  for (const column of profile.columns) columns[column.name] = inferColumn(column, settings);
  return {
    format: SCHEMA_FORMAT,
    columns,
    dataset: { min_rows: profile.rows > 0 ? 1 : 0, allow_extra_columns: false },
  };
}

function inferColumn(column: ColumnProfile, settings: Required<InferOptions>): ColumnRule {
  const rule: { -readonly [K in keyof ColumnRule]: ColumnRule[K] } = {
    type: column.type,
    required: true,
    max_missing: missingAllowance(column),
    unique: false,
    mostly: 1,
  };
  const numeric = column.numeric;
  if (numeric?.min != null && numeric.max != null) {
    const spread = numeric.max - numeric.min;
    const margin =
      settings.rangeMargin * (spread > 0 ? spread : Math.max(1, Math.abs(numeric.max)));
    let min = numeric.min - margin;
    let max = numeric.max + margin;
    // A column never seen negative stays non-negative: a sign flip is a finding, not noise.
    if (numeric.min >= 0) min = Math.max(0, min);
    if (column.type === 'integer') {
      min = Math.floor(min);
      max = Math.ceil(max);
    }
    rule.min = min;
    rule.max = max;
  }
  const frequent = column.frequent;
  if (frequent?.exact === true && frequent.size > 0 && frequent.size <= settings.maxDomainSize) {
    const values = frequent
      .items()
      .map(([value]) => value)
      .sort();
    rule.allowed =
      column.type === 'boolean' ? values.map((v): AllowedValue => v === 'true') : values;
  }
  rule.unique = looksUnique(column, settings.minUniqueRows);
  return rule;
}

/** The observed missing fraction plus max(0.01, 10 % of it), rounded up to 3 decimals; 0 stays 0. */
function missingAllowance(column: ColumnProfile): number {
  if (column.count === 0 || column.missing === 0) return 0;
  const observed = column.missing / column.count;
  return Math.min(1, Math.ceil((observed + Math.max(0.01, observed * 0.1)) * 1000) / 1000);
}

/** Unique when every value was seen once: exactly from frequent items, else by HLL (approximate). */
function looksUnique(column: ColumnProfile, minRows: number): boolean {
  const present = presentCount(column);
  if ((column.type !== 'integer' && column.type !== 'string') || present < minRows) return false;
  if (column.frequent?.exact === true) return column.frequent.items().every(([, n]) => n === 1);
  return distinctCount(column) >= present * (1 - (3 * 1.04) / 64);
}
