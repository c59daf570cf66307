/**
 * Validates a profile against a schema, lazily (every failure is collected, pandera style) and
 * as data: each failure names its path, the check, what was expected and what was observed.
 * Checks on a profile are exact where the profile is (counts, min/max, exact frequent items)
 * and say `approximate: true` where they rest on a sketch.
 */
import {
  distinctCount,
  presentCount,
  type ColumnProfile,
  type DatasetProfile,
} from '../profile/index.js';
import type { ColumnRule, DataSchema } from './parse.js';

/** One failed check. */
export interface ValidationFailure {
  /** Where the rule sits in the schema, e.g. `columns.age.max`. */
  readonly path: string;
  readonly check: string;
  readonly expected: unknown;
  readonly observed: unknown;
  readonly message: string;
  /** True when the observation comes from a sketch rather than exact counts. */
  readonly approximate: boolean;
}

/** The outcome of validating one profile. */
export interface ValidationReport {
  readonly passed: boolean;
  readonly failures: readonly ValidationFailure[];
}

type Fail = (failure: Omit<ValidationFailure, 'approximate'> & { approximate?: boolean }) => void;

/** Validates `profile` against `schema`, collecting every failure. */
export function validateProfile(profile: DatasetProfile, schema: DataSchema): ValidationReport {
  const failures: ValidationFailure[] = [];
  const fail: Fail = (f) => failures.push({ ...f, approximate: f.approximate ?? false });
  const { min_rows: minRows, max_rows: maxRows, allow_extra_columns: allowExtra } = schema.dataset;
  if (minRows !== undefined && profile.rows < minRows) {
    fail({
      path: 'dataset.min_rows',
      check: 'min_rows',
      expected: minRows,
      observed: profile.rows,
      message: `${profile.rows} rows, fewer than ${minRows}`,
    });
  }
  if (maxRows !== undefined && profile.rows > maxRows) {
    fail({
      path: 'dataset.max_rows',
      check: 'max_rows',
      expected: maxRows,
      observed: profile.rows,
      message: `${profile.rows} rows, more than ${maxRows}`,
    });
  }
  const byName = new Map(profile.columns.map((c) => [c.name, c]));
  for (const [name, rule] of Object.entries(schema.columns)) {
    const column = byName.get(name);
    if (column === undefined) {
      if (rule.required)
        fail({
          path: `columns.${name}.required`,
          check: 'required',
          expected: true,
          observed: false,
          message: `column ${JSON.stringify(name)} is missing`,
        });
    } else {
      validateColumn(column, rule, `columns.${name}`, fail);
    }
  }
  if (!allowExtra) {
    const extra = profile.columns
      .map((c) => c.name)
      .filter((n) => !Object.hasOwn(schema.columns, n));
    if (extra.length > 0) {
      fail({
        path: 'dataset.allow_extra_columns',
        check: 'extra_columns',
        expected: [],
        observed: extra,
        message: `columns not in the schema: ${extra.map((n) => JSON.stringify(n)).join(', ')}`,
      });
    }
  }
  return { passed: failures.length === 0, failures };
}

function validateColumn(column: ColumnProfile, rule: ColumnRule, path: string, fail: Fail): void {
  const present = presentCount(column);
  const tolerated = Math.floor((1 - rule.mostly) * present + 1e-9);
  const typeOk = column.type === rule.type || (rule.type === 'number' && column.type === 'integer');
  if (!typeOk) {
    fail({
      path: `${path}.type`,
      check: 'type',
      expected: rule.type,
      observed: column.type,
      message: `type is ${column.type}, not ${rule.type}`,
    });
    return;
  }
  if (column.invalid > Math.floor((1 - rule.mostly) * (present + column.invalid) + 1e-9)) {
    fail({
      path: `${path}.type`,
      check: 'type',
      expected: rule.type,
      observed: { invalid: column.invalid },
      message: `${column.invalid} values do not parse as ${rule.type}`,
    });
  }
  if (rule.max_missing !== undefined && column.count > 0) {
    const fraction = column.missing / column.count;
    if (fraction > rule.max_missing) {
      fail({
        path: `${path}.max_missing`,
        check: 'max_missing',
        expected: rule.max_missing,
        observed: fraction,
        message: `${(fraction * 100).toPrecision(3)} % missing, more than ${rule.max_missing * 100} %`,
      });
    }
  }
  checkRange(column, rule, path, tolerated, fail);
  checkAllowed(column, rule, path, tolerated, fail);
  if (rule.unique && present > 0) checkUnique(column, present, path, fail);
}

function checkUnique(column: ColumnProfile, present: number, path: string, fail: Fail): void {
  const frequent = column.frequent;
  const exact = frequent?.exact === true;
  const distinct = frequent !== undefined && exact ? frequent.size : distinctCount(column);
  // HLL's error is 1.6 % (one sigma) and a few values for small columns: flag only a clear
  // shortfall; the exact check over rows is uniquenessChecker.
  const slack = exact ? 0 : Math.max(0.05 * present, 3);
  if (present - distinct > slack) {
    fail({
      path: `${path}.unique`,
      check: 'unique',
      expected: present,
      observed: distinct,
      approximate: !exact,
      message: `${exact ? '' : 'about '}${distinct} distinct values among ${present}: not unique (the exact check over rows gives example rows)`,
    });
  }
}

function checkRange(
  column: ColumnProfile,
  rule: ColumnRule,
  path: string,
  tolerated: number,
  fail: Fail,
): void {
  const numeric = column.numeric;
  if (numeric === undefined) return;
  for (const bound of ['min', 'max'] as const) {
    const limit = rule[bound];
    if (limit === undefined) continue;
    const extreme = numeric[bound];
    const nonFinite = column.nan + (bound === 'min' ? column.negInf : column.posInf);
    const exactOk = extreme === null || (bound === 'min' ? extreme >= limit : extreme <= limit);
    if (exactOk && nonFinite === 0) continue;
    // Offenders: NaN/infinities exactly, plus finite values beyond the limit. The exact extreme
    // proves at least one; how many more is read from the sketch (approximate).
    let outside = nonFinite;
    if (!exactOk) {
      let beyond = 0;
      numeric.sketch.forEachBin((value, count) => {
        if (bound === 'min' ? value < limit : value > limit) beyond += count;
      });
      outside += Math.max(1, beyond);
    }
    if (outside > tolerated) {
      const approximate = tolerated > 0 && !exactOk;
      fail({
        path: `${path}.${bound}`,
        check: bound,
        expected: limit,
        observed: extreme,
        approximate,
        message: `${approximate ? 'about ' : ''}${outside} values ${bound === 'min' ? 'below' : 'above'} ${limit} (observed ${bound} ${String(extreme)}${nonFinite > 0 ? `, ${nonFinite} NaN/infinite` : ''})`,
      });
    }
  }
}

function checkAllowed(
  column: ColumnProfile,
  rule: ColumnRule,
  path: string,
  tolerated: number,
  fail: Fail,
): void {
  const frequent = column.frequent;
  if (rule.allowed === undefined || frequent === undefined) return;
  const allowed = new Set(rule.allowed.map(String));
  // Items' counts are lower bounds, so present − Σ allowed counts bounds the offenders from
  // above: when the summary is not exact the check can only err towards failing.
  let allowedCount = 0;
  for (const value of allowed) allowedCount += frequent.count(value);
  const outside = presentCount(column) - allowedCount;
  if (outside <= tolerated) return;
  const examples = frequent
    .items()
    .filter(([value]) => !allowed.has(value))
    .slice(0, 10)
    .map(([value]) => value);
  fail({
    path: `${path}.allowed`,
    check: 'allowed',
    expected: rule.allowed,
    observed: examples,
    approximate: !frequent.exact,
    message: `${frequent.exact ? '' : 'at most '}${outside} values outside the allowed set${examples.length > 0 ? `, e.g. ${examples.map((e) => JSON.stringify(e)).join(', ')}` : ''}`,
  });
}
