/**
 * A strict parser for the subset of TOML 1.0 that poetry.lock and uv.lock use: comments,
 * `[table]` and `[[array.of.tables]]` headers, bare, quoted and dotted keys, basic, literal
 * and multi-line strings, integers, booleans, arrays (across lines) and inline tables. Floats,
 * dates and times are refused rather than guessed at. Errors name the line. Tables are
 * prototype-less objects, so a key such as `__proto__` is only data.
 */
import { RampartError } from '../core/index.js';

/** A value of the subset. */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
/** A table: key → value. */
export interface TomlTable {
  [key: string]: TomlValue;
}

const MAX_DEPTH = 32;
const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  '"': '"',
  '\\': '\\',
};

/** A parsed document and the line of each table opened by a header. */
export interface TomlDocument {
  readonly root: TomlTable;
  lineOf(table: TomlTable): number | undefined;
}

/**
 * Parses `text` (from `file`, for messages).
 * @throws RAMPART_LOCKFILE_INVALID with the line of the first error
 */
export function parseTomlSubset(text: string, file: string): TomlDocument {
  const parser = new Parser(text, file);
  const root = parser.document();
  return { root, lineOf: (t) => parser.lines.get(t) };
}

function table(): TomlTable {
  return Object.create(null) as TomlTable;
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && !Array.isArray(value);
}

class Parser {
  private pos = 0;
  private line = 1;
  private readonly root = table();
  // Tables opened by a header (may not be opened twice) and arrays made by [[...]] (extendable).
  private readonly headed = new WeakSet<TomlTable>();
  private readonly tableArrays = new WeakSet<TomlValue[]>();
  // Inline tables and plain arrays are complete where written and may not be extended.
  private readonly sealed = new WeakSet<object>();
  readonly lines = new WeakMap<TomlTable, number>();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  document(): TomlTable {
    let current = this.root;
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.text.length) return this.root;
      if (this.peek() === '[') current = this.header();
      else this.keyValue(current);
      this.endOfLine();
    }
  }

  private header(): TomlTable {
    const array = this.text.startsWith('[[', this.pos);
    this.pos += array ? 2 : 1;
    const keys = this.key();
    this.expect(array ? ']]' : ']');
    const parent = this.walk(this.root, keys.slice(0, -1));
    const last = keys[keys.length - 1] ?? '';
    const existing = parent[last];
    if (array) {
      if (existing === undefined) {
        const list: TomlValue[] = [];
        this.tableArrays.add(list);
        parent[last] = list;
      }
      const list = parent[last];
      if (!Array.isArray(list) || !this.tableArrays.has(list)) {
        throw this.error(`[[${keys.join('.')}]] clashes with a value defined before`);
      }
      const entry = table();
      list.push(entry);
      this.headed.add(entry);
      this.lines.set(entry, this.line);
      return entry;
    }
    if (existing === undefined) parent[last] = table();
    const target = parent[last];
    if (!isTable(target) || this.headed.has(target) || this.sealed.has(target)) {
      throw this.error(`table [${keys.join('.')}] is defined twice`);
    }
    this.headed.add(target);
    this.lines.set(target, this.line);
    return target;
  }

  // Follows dotted keys from `start`, creating tables; the last table of an array of tables.
  private walk(start: TomlTable, keys: readonly string[]): TomlTable {
    let at = start;
    for (const key of keys) {
      let next = at[key];
      if (next === undefined) {
        next = table();
        at[key] = next;
      }
      if (Array.isArray(next) && this.tableArrays.has(next)) next = next[next.length - 1];
      if (!isTable(next) || this.sealed.has(next)) {
        throw this.error(`key ${key} is not a table that can be extended`);
      }
      at = next;
    }
    return at;
  }

  private keyValue(into: TomlTable, depth = 0): void {
    const keys = this.key();
    this.skipSpaces();
    this.expect('=');
    this.skipSpaces();
    const target = this.walk(into, keys.slice(0, -1));
    const last = keys[keys.length - 1] ?? '';
    if (last in target) throw this.error(`key ${keys.join('.')} is defined twice`);
    target[last] = this.value(depth);
  }

  private key(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '"') keys.push(this.basicString());
      else if (c === "'") keys.push(this.literalString());
      else {
        const start = this.pos;
        while (BARE_KEY.test(this.peek())) this.pos++;
        if (this.pos === start) throw this.error('expected a key');
        keys.push(this.text.slice(start, this.pos));
      }
      this.skipSpaces();
      if (this.peek() !== '.') return keys;
      this.pos++;
    }
  }

  private value(depth: number): TomlValue {
    if (depth > MAX_DEPTH) throw this.error(`values nested deeper than ${MAX_DEPTH}`);
    const c = this.peek();
    if (this.text.startsWith('"""', this.pos)) return this.multilineString('"""');
    if (this.text.startsWith("'''", this.pos)) return this.multilineString("'''");
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    if (c === '[') return this.array(depth);
    if (c === '{') return this.inlineTable(depth);
    const word = /^[A-Za-z0-9_+\-.:]+/.exec(this.text.slice(this.pos, this.pos + 64))?.[0] ?? '';
    this.pos += word.length;
    if (word === 'true' || word === 'false') return word === 'true';
    if (/^[+-]?(0|[1-9](_?\d)*)$/.test(word)) {
      const n = Number(word.replace(/_/g, ''));
      if (Number.isSafeInteger(n)) return n;
    }
    throw this.error(
      word === ''
        ? 'expected a value'
        : `unsupported value ${word} (floats, dates and large numbers are outside the subset read)`,
    );
  }

  private array(depth: number): TomlValue[] {
    this.pos++;
    const list: TomlValue[] = [];
    this.sealed.add(list);
    for (;;) {
      this.skipBlank(true);
      if (this.peek() === ']') break;
      list.push(this.value(depth + 1));
      this.skipBlank(true);
      if (this.peek() !== ',') break;
      this.pos++;
    }
    this.expect(']');
    return list;
  }

  private inlineTable(depth: number): TomlTable {
    this.pos++;
    const result = table();
    this.skipSpaces();
    if (this.peek() !== '}') {
      for (;;) {
        this.keyValue(result, depth + 1);
        this.skipSpaces();
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    this.skipSpaces();
    this.expect('}');
    this.sealed.add(result);
    return result;
  }

  private basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') throw this.error('unterminated string');
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }

  private literalString(): string {
    this.pos++;
    const end = this.text.indexOf("'", this.pos);
    const newline = this.text.indexOf('\n', this.pos);
    if (end < 0 || (newline >= 0 && newline < end)) throw this.error('unterminated string');
    const value = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return value;
  }

  private multilineString(quote: '"""' | "'''"): string {
    this.pos += 3;
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.peek() === '\n') this.pos++;
    const end = this.text.indexOf(quote, this.pos);
    if (end < 0) throw this.error('unterminated multi-line string');
    const raw = this.text.slice(this.pos, end);
    this.pos = end + 3;
    this.line += raw.split('\n').length - 1;
    if (quote === "'''") return raw;
    // Line-ending backslashes trim the following whitespace; other escapes as in "…".
    return raw
      .replace(/\\[ \t]*\r?\n\s*/g, '')
      .replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e: string) => this.decode(e));
  }

  private escape(): string {
    const c = this.text[this.pos] ?? '';
    const size = c === 'u' ? 5 : c === 'U' ? 9 : 1;
    const sequence = this.text.slice(this.pos, this.pos + size);
    this.pos += size;
    return this.decode(sequence);
  }

  private decode(sequence: string): string {
    const simple = ESCAPES[sequence];
    if (simple !== undefined) return simple;
    if (/^(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})$/.test(sequence)) {
      const code = parseInt(sequence.slice(1), 16);
      if (code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)) return String.fromCodePoint(code);
    }
    throw this.error(`invalid escape \\${sequence}`);
  }

  private endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') this.skipComment();
    if (this.pos >= this.text.length) return;
    if (this.text.startsWith('\r\n', this.pos)) this.pos++;
    if (this.peek() !== '\n')
      throw this.error(`unexpected ${JSON.stringify(this.peek())} after a value`);
    this.pos++;
    this.line++;
  }

  // Spaces, tabs, comments and (when `newlines`) line breaks.
  private skipBlank(newlines: boolean): void {
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '#') this.skipComment();
      else if (newlines && (c === '\n' || (c === '\r' && this.text[this.pos + 1] === '\n'))) {
        this.pos += c === '\r' ? 2 : 1;
        this.line++;
      } else return;
    }
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private skipComment(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private expect(token: string): void {
    if (!this.text.startsWith(token, this.pos)) {
      throw this.error(
        `expected ${token}${this.pos < this.text.length ? `, found ${JSON.stringify(this.peek())}` : ' before the end'}`,
      );
    }
    this.pos += token.length;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private error(message: string): RampartError {
    return new RampartError('RAMPART_LOCKFILE_INVALID', `${this.file}:${this.line}: ${message}`, {
      details: { path: this.file, line: this.line },
    });
  }
}
