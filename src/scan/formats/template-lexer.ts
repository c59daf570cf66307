/**
 * A Jinja lexer just deep enough for static checks: it finds the code regions of a template
 * (`{{ … }}` and `{% … %}`, not comments, literal text or `{% raw %}` blocks) and splits each into
 * names, strings (with Python escapes decoded, as Jinja decodes them), numbers and operators.
 * It never fails: malformed input yields whatever regions and tokens it can.
 */
import { PYTHON_SIMPLE_ESCAPES } from '../python-escapes.js';

/** A `{{ … }}` or `{% … %}` block's inside. */
export interface Region {
  readonly kind: 'expression' | 'statement';
  readonly text: string;
  /** Character offset of the block in the template. */
  readonly offset: number;
}

/** One lexical token of a code region. */
export interface Token {
  readonly type: 'name' | 'string' | 'number' | 'op';
  readonly value: string;
}

const OPENERS = new Set(['{', '[', '(']);
const CLOSERS = new Set(['}', ']', ')']);
const TWO_CHAR_OPS = new Set(['**', '//', '==', '!=', '>=', '<=']);
const RAW_START = /^[-+]?\s*raw\s*[-+]?$/;
const RAW_END = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER = /\d[\d_]*(\.\d[\d_]*)?([eE][-+]?\d+)?/y;
const SPACE = /\s/;

/** The code regions of a template, in order. */
export function codeRegions(template: string): Region[] {
  const regions: Region[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    if (open < 0 || open + 1 >= template.length) break;
    const marker = template[open + 1];
    if (marker === '#') {
      const close = template.indexOf('#}', open + 2);
      at = close < 0 ? template.length : close + 2;
    } else if (marker === '{' || marker === '%') {
      const closer = marker === '{' ? '}}' : '%}';
      const end = blockEnd(template, open + 2, closer);
      const text = template.slice(open + 2, end);
      at = Math.min(template.length, end + 2);
      if (marker === '%' && RAW_START.test(text.trim())) {
        RAW_END.lastIndex = at;
        const raw = RAW_END.exec(template);
        at = raw === null ? template.length : raw.index + raw[0].length;
        continue;
      }
      regions.push({ kind: marker === '{' ? 'expression' : 'statement', text, offset: open });
    } else {
      at = open + 1;
    }
  }
  return regions;
}

// Jinja ends a block only outside strings and with every bracket closed.
function blockEnd(template: string, from: number, closer: string): number {
  let depth = 0;
  let at = from;
  while (at < template.length) {
    const c = template[at] ?? '';
    if (c === '"' || c === "'") {
      at = stringEnd(template, at);
      continue;
    }
    if (depth === 0 && template.startsWith(closer, at)) return at;
    if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c) && depth > 0) depth--;
    at++;
  }
  return template.length;
}

// The index just after a quoted string starting at `at` (or the end of the text).
function stringEnd(text: string, at: number): number {
  const quote = text[at];
  let i = at + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return text.length;
}

/** The tokens of one code region. */
export function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < code.length) {
    const c = code[at] ?? '';
    if (SPACE.test(c)) {
      at++;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(code, at);
      const closed = end <= code.length && code[end - 1] === c && end - at >= 2;
      tokens.push({ type: 'string', value: unescape(code.slice(at + 1, closed ? end - 1 : end)) });
      at = end;
    } else if (match(NAME, code, at) !== undefined) {
      const name = match(NAME, code, at) ?? '';
      tokens.push({ type: 'name', value: name.normalize('NFKC') });
      at += name.length;
    } else if (match(NUMBER, code, at) !== undefined) {
      const number = match(NUMBER, code, at) ?? '';
      tokens.push({ type: 'number', value: number });
      at += number.length;
    } else {
      const two = code.slice(at, at + 2);
      const op = TWO_CHAR_OPS.has(two) ? two : c;
      tokens.push({ type: 'op', value: op });
      at += op.length;
    }
  }
  return tokens;
}

function match(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

// Python's escapes plus a backslash-newline, which continues the string.
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { ...PYTHON_SIMPLE_ESCAPES, '\n': '' };

// Unicode names an attacker might spell an underscore or a letter with (\N{LOW LINE}).
const NAMED: Readonly<Record<string, string>> = {
  'LOW LINE': '_',
  'FULLWIDTH LOW LINE': '＿',
  'SPACING UNDERSCORE': '_',
};

/** Decodes Python string escapes the way Jinja does (`unicode-escape`); bad escapes stay. */
export function unescape(body: string): string {
  let out = '';
  let at = 0;
  while (at < body.length) {
    const c = body[at] ?? '';
    if (c !== '\\' || at + 1 >= body.length) {
      out += c;
      at++;
      continue;
    }
    const [text, length] = escape(body, at + 1);
    out += text;
    at += 1 + length;
  }
  return out;
}

// The decoded text of the escape after a backslash, and how many characters it used.
function escape(body: string, at: number): [string, number] {
  const c = body[at] ?? '';
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return [simple, 1];
  const octal = /^[0-7]{1,3}/.exec(body.slice(at, at + 3));
  if (octal !== null) return [String.fromCodePoint(parseInt(octal[0], 8)), octal[0].length];
  const hexLength = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const hex = body.slice(at + 1, at + 1 + hexLength);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : -1;
    if (code >= 0 && code <= 0x10ffff) return [String.fromCodePoint(code), 1 + hexLength];
  }
  if (c === 'N' && body[at + 1] === '{') {
    const close = body.indexOf('}', at + 2);
    if (close > 0) {
      const name = body.slice(at + 2, close).toUpperCase();
      return [NAMED[name] ?? '\uFFFD', close - at + 1];
    }
  }
  return [`\\${c}`, 1];
}
