/**
 * A small parser for the Python literals `ast.literal_eval` accepts in a NumPy header: dicts,
 * lists, tuples, strings (with prefixes, escapes, implicit concatenation), integers (any base,
 * underscores, an optional sign), True/False/None. Nothing is evaluated; floats, sets and
 * anything else are rejected, and the caller then treats the header as unknown.
 */
import { PYTHON_SIMPLE_ESCAPES } from '../python-escapes.js';

/** A parsed Python literal. */
export type PyValue =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'list' | 'tuple'; readonly items: readonly PyValue[] }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [PyValue, PyValue])[] };

/** The text is not a literal this parser accepts. */
export class LiteralError extends Error {
  constructor(message: string, at: number) {
    super(`${message} at character ${at}`);
    this.name = 'LiteralError';
  }
}

const MAX_DEPTH = 64;
const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0(?:_?0)*)/;

/** Parses `text`; `longSuffix` accepts Python 2's `3L` integers (NumPy format 1.0 and 2.0). */
export function parsePyLiteral(text: string, longSuffix = false): PyValue {
  const parser = new Parser(text, longSuffix);
  const value = parser.value(0);
  parser.space();
  if (!parser.done) parser.fail('unexpected text after the literal');
  return value;
}

class Parser {
  #at = 0;
  readonly #text: string;
  readonly #longSuffix: boolean;

  constructor(text: string, longSuffix: boolean) {
    this.#text = text;
    this.#longSuffix = longSuffix;
  }

  get done(): boolean {
    return this.#at >= this.#text.length;
  }

  fail(message: string): never {
    throw new LiteralError(message, this.#at);
  }

  space(): void {
    const text = this.#text;
    while (this.#at < text.length) {
      const c = text[this.#at];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v')
        this.#at++;
      else if (c === '\\' && text[this.#at + 1] === '\n') this.#at += 2;
      else if (c === '#') while (this.#at < text.length && text[this.#at] !== '\n') this.#at++;
      else return;
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail('the literal is nested too deeply');
    this.space();
    const c = this.#text[this.#at];
    if (c === '(') return this.#sequence(depth, ')', 'tuple');
    if (c === '[') return this.#sequence(depth, ']', 'list');
    if (c === '{') return this.#dict(depth);
    if (c === '-' || c === '+') {
      this.#at++;
      this.space();
      const number = this.#integer();
      return c === '-' ? { kind: 'int', value: -number } : { kind: 'int', value: number };
    }
    if (c !== undefined && c >= '0' && c <= '9') return { kind: 'int', value: this.#integer() };
    const word = /^[A-Za-z_]\w*/.exec(this.#text.slice(this.#at, this.#at + 64))?.[0] ?? '';
    const quote = this.#text[this.#at + word.length];
    if (quote === "'" || quote === '"') return this.#strings();
    this.#at += word.length;
    if (word === 'True' || word === 'False') return { kind: 'bool', value: word === 'True' };
    if (word === 'None') return { kind: 'none' };
    return this.fail(word === '' ? 'expected a literal' : `the name ${word} is not a literal`);
  }

  #sequence(depth: number, close: string, kind: 'tuple' | 'list'): PyValue {
    this.#at++;
    const items: PyValue[] = [];
    let comma = false;
    for (;;) {
      this.space();
      if (this.#text[this.#at] === close) {
        this.#at++;
        // `(x)` is x itself; only a comma makes a tuple.
        if (kind === 'tuple' && items.length === 1 && !comma && items[0] !== undefined)
          return items[0];
        return { kind, items };
      }
      if (items.length > 0 && !comma) this.fail(`expected , or ${close}`);
      items.push(this.value(depth + 1));
      this.space();
      comma = this.#text[this.#at] === ',';
      if (comma) this.#at++;
    }
  }

  #dict(depth: number): PyValue {
    this.#at++;
    const entries: (readonly [PyValue, PyValue])[] = [];
    for (;;) {
      this.space();
      if (this.#text[this.#at] === '}') {
        this.#at++;
        return { kind: 'dict', entries };
      }
      const key = this.value(depth + 1);
      this.space();
      if (this.#text[this.#at] !== ':') this.fail('expected : (sets are not accepted)');
      this.#at++;
      entries.push([key, this.value(depth + 1)]);
      this.space();
      const next = this.#text[this.#at];
      if (next === ',') this.#at++;
      else if (next !== '}') this.fail('expected , or }');
    }
  }

  #integer(): bigint {
    const rest = this.#text.slice(this.#at, this.#at + 4096);
    const match = NUMBER.exec(rest)?.[0];
    if (match === undefined) return this.fail('expected a number');
    this.#at += match.length;
    const after = this.#text[this.#at] ?? '';
    if (
      this.#longSuffix &&
      (after === 'L' || after === 'l') &&
      !/\w/.test(this.#text[this.#at + 1] ?? '')
    ) {
      this.#at++;
    } else if (/[\w.]/.test(after)) this.fail('only plain integers are accepted');
    return BigInt(match.replaceAll('_', ''));
  }

  // One or more adjacent string literals, concatenated as Python does.
  #strings(): PyValue {
    let value = '';
    let bytes: boolean | undefined;
    for (;;) {
      const prefix = /^[A-Za-z]{0,2}/.exec(this.#text.slice(this.#at, this.#at + 2))?.[0] ?? '';
      const quote = this.#text[this.#at + prefix.length];
      if (quote !== "'" && quote !== '"') {
        if (bytes === undefined) this.fail('expected a string');
        break;
      }
      const lower = prefix.toLowerCase();
      if (!['', 'r', 'u', 'b', 'br', 'rb'].includes(lower))
        this.fail(`the string prefix ${prefix} is not accepted`);
      const isBytes = lower.includes('b');
      if (bytes !== undefined && bytes !== isBytes)
        this.fail('bytes and str cannot be concatenated');
      bytes = isBytes;
      this.#at += prefix.length;
      value += this.#string(quote, lower.includes('r'), isBytes);
      this.space();
    }
    return bytes ? { kind: 'bytes' } : { kind: 'str', value };
  }

  #string(quote: string, raw: boolean, bytes: boolean): string {
    const text = this.#text;
    const triple = text.startsWith(quote.repeat(3), this.#at);
    const close = triple ? quote.repeat(3) : quote;
    this.#at += close.length;
    let out = '';
    for (;;) {
      if (this.#at >= text.length) this.fail('unterminated string');
      if (text.startsWith(close, this.#at)) {
        this.#at += close.length;
        return out;
      }
      const c = text[this.#at] ?? '';
      if (c === '\n' && !triple) this.fail('unterminated string');
      if (c !== '\\') {
        out += c;
        this.#at++;
      } else if (raw) {
        out += text.slice(this.#at, this.#at + 2);
        this.#at += 2;
      } else out += this.#escape(bytes);
    }
  }

  #escape(bytes: boolean): string {
    const text = this.#text;
    const c = text[this.#at + 1] ?? '';
    this.#at += 2;
    if (c === '\n') return '';
    const simple = PYTHON_SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    if (c >= '0' && c <= '7') {
      const digits = /^[0-7]{1,3}/.exec(text.slice(this.#at - 1, this.#at + 2))?.[0] ?? c;
      this.#at += digits.length - 1;
      return String.fromCodePoint(parseInt(digits, 8));
    }
    const width = c === 'x' ? 2 : bytes ? 0 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (width === 0) {
      if (c === 'N' && !bytes) this.fail('named escapes are not accepted');
      return `\\${c}`;
    }
    const hex = text.slice(this.#at, this.#at + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail('a truncated escape');
    this.#at += width;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) this.fail('an escape beyond Unicode');
    return String.fromCodePoint(code);
  }
}
