import type { ColumnType } from './batch.js';

/**
 * Text read as a missing cell in every column of a text format (CSV; strings in JSON lines):
 * pandas' default `na_values` without its NaN spellings, which are a NaN value in number
 * columns and plain text elsewhere (see docs/data-formats.md).
 */
export const NA_STRINGS: readonly string[] = Object.freeze([
  '',
  'NA',
  'N/A',
  'n/a',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '<NA>',
  'null',
  'NULL',
  'None',
]);

const NA_SET: ReadonlySet<string> = new Set(NA_STRINGS);
const NA_LONGEST = Math.max(...NA_STRINGS.map((s) => s.length));

/** True when `text` is one of {@link NA_STRINGS}. */
export function isNaText(text: string): boolean {
  return text.length === 0 || (text.length <= NA_LONGEST && NA_SET.has(text));
}

// 10^k for k ≤ 22 is exact in binary64, so m / 10^k is correctly rounded when m < 2^53
// (Clinger's fast path); we use it for up to 15 digits and leave the rest to Number().
/** 10^k for k ≤ 22, exact in binary64 (the CSV scanner's fast path uses it too). */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => 10 ** k);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;
const INTEGER = /^[+-]?\d+$/;

/** The number a CSV cell spells (decimal, exponent, nan, inf, infinity), or undefined. */
export function parseNumberText(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  const negative = c === 45;
  if (negative || c === 43) i = 1;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) fraction++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (i === n && digits > 0 && digits <= 15) {
    const value = fraction === 0 ? mantissa : mantissa / (POW10[fraction] ?? 1);
    return negative ? -value : value;
  }
  return parseNumberSlow(text);
}

function parseNumberSlow(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const special = SPECIAL.exec(text);
  if (special === null) return undefined;
  if ((special[2] ?? '').toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** The integer a CSV cell spells (sign and digits, within ±(2^53 − 1)), or undefined. */
export function parseIntegerText(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const c0 = text.charCodeAt(0);
  if (c0 === 45 || c0 === 43) i = 1;
  if (i === n || n - i > 15) return parseIntegerSlow(text);
  let value = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    value = value * 10 + (c - 48);
  }
  return c0 === 45 ? -value : value;
}

function parseIntegerSlow(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** 1 for true, 0 for false (case-insensitive), undefined otherwise. */
export function parseBooleanText(text: string): 0 | 1 | undefined {
  if (text.length === 4 && text.toLowerCase() === 'true') return 1;
  if (text.length === 5 && text.toLowerCase() === 'false') return 0;
  return undefined;
}

/** True when `text` is a NaN or infinity spelling. */
export function isSpecialNumberText(text: string): boolean {
  return SPECIAL.test(text);
}

/** What one column's sampled values allow; narrowed value by value during inference. */
export class TypeEvidence {
  integer = true;
  number = true;
  boolean = true;
  seen = false;

  /** Narrows by one non-missing CSV cell. */
  addText(text: string): void {
    this.seen = true;
    if (this.integer && parseIntegerText(text) === undefined) this.integer = false;
    if (this.number && !this.integer && parseNumberText(text) === undefined) this.number = false;
    if (this.boolean && parseBooleanText(text) === undefined) this.boolean = false;
  }

  /** Narrows by one value of a JSON kind: integer, number, boolean or string. */
  addKind(kind: 'integer' | 'number' | 'boolean' | 'string'): void {
    this.seen = true;
    if (kind !== 'integer') this.integer = false;
    if (kind !== 'integer' && kind !== 'number') this.number = false;
    if (kind !== 'boolean') this.boolean = false;
  }

  /** The narrowest type every sampled value fits; string when nothing was seen. */
  type(): ColumnType {
    if (!this.seen) return 'string';
    if (this.integer) return 'integer';
    if (this.number) return 'number';
    return this.boolean ? 'boolean' : 'string';
  }
}
