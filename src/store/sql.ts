import { RampartError } from '../core/index.js';

/**
 * Rewrites `?` placeholders to PostgreSQL's `$1, $2, …`, leaving `?` alone inside string
 * literals, quoted identifiers, dollar-quoted bodies and comments.
 */
export function toNumberedPlaceholders(sql: string): string {
  let out = '';
  let count = 0;
  let i = 0;
  while (i < sql.length) {
    const end = skipQuoted(sql, i);
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
    } else if (sql[i] === '?') {
      count += 1;
      out += `$${count}`;
      i += 1;
    } else {
      out += sql.charAt(i);
      i += 1;
    }
  }
  return out;
}

// Returns the index just past a literal, identifier or comment starting at `i`, or `i` if none.
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  const next = sql[i + 1];
  if (c === "'") return skipString(sql, i + 1, isEscapeString(sql, i));
  if (c === '"') return skipString(sql, i + 1, false, '"');
  if (c === '-' && next === '-') return lineEnd(sql, i);
  if (c === '/' && next === '*') return blockCommentEnd(sql, i);
  if (c === '$') return dollarQuoteEnd(sql, i);
  return i;
}

// E'…' strings treat backslash as an escape; plain strings do not.
function isEscapeString(sql: string, quote: number): boolean {
  const prev = sql[quote - 1];
  if (prev !== 'E' && prev !== 'e') return false;
  const before = sql[quote - 2];
  return before === undefined || !/[A-Za-z0-9_$]/.test(before);
}

function skipString(sql: string, start: number, backslash: boolean, quote = "'"): number {
  let i = start;
  while (i < sql.length) {
    const c = sql[i];
    if (backslash && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function dollarQuoteEnd(sql: string, start: number): number {
  // A `$` right after an identifier character is part of a name, not a quote.
  const prev = sql[start - 1];
  if (prev !== undefined && /[A-Za-z0-9_]/.test(prev)) return start;
  const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start));
  if (tag === null) return start;
  const close = sql.indexOf(tag[0], start + tag[0].length);
  return close === -1 ? sql.length : close + tag[0].length;
}

/**
 * Converts a database integer to a JS number, refusing values a double cannot hold exactly.
 * @throws RAMPART_STORE_QUERY_FAILED when the value is beyond ±(2^53 − 1)
 */
export function toSafeNumber(value: bigint | string, where: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new RampartError(
      'RAMPART_STORE_QUERY_FAILED',
      `${where}: integer ${String(value)} is beyond ±(2^53 - 1) and cannot be read exactly`,
      {
        hint: 'Store integers that can exceed 2^53 as TEXT, or read them as text with CAST.',
        details: { where },
      },
    );
  }
  return n;
}

/** The first line of a statement, shortened, to name it in error messages. */
export function describeSql(sql: string): string {
  const line = sql.trim().replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
