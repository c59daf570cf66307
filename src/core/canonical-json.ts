/**
 * Canonical JSON per RFC 8785 (JCS): the one byte form of a JSON value that Rampart hashes
 * and signs.
 */
import { RampartError } from './errors.js';

/** Options for {@link canonicalize}. */
export interface CanonicalizeOptions {
  /** Deepest nesting of arrays and objects accepted; default 128. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 128;
// With the `u` flag a surrogate pair is one code point, so this matches only lone surrogates.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Serialises `value` as RFC 8785 canonical JSON: object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number form, minimal string escapes. Encode the result as UTF-8.
 * @throws RAMPART_JSON_NOT_CANONICALIZABLE for non-finite numbers, undefined, functions,
 *   symbols, bigints, cycles, non-plain objects and lone surrogates;
 *   RAMPART_LIMIT_EXCEEDED when nested deeper than `maxDepth`.
 */
export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  const parts: string[] = [];
  const writer = new Writer(parts, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  writer.write(value, '$', 0);
  return parts.join('');
}

/** {@link canonicalize} as UTF-8 bytes, ready to hash or sign. @throws as canonicalize. */
export function canonicalBytes(value: unknown, options: CanonicalizeOptions = {}): Buffer {
  return Buffer.from(canonicalize(value, options), 'utf8');
}

class Writer {
  readonly #parts: string[];
  readonly #maxDepth: number;
  readonly #open = new Set<object>();

  constructor(parts: string[], maxDepth: number) {
    this.#parts = parts;
    this.#maxDepth = maxDepth;
  }

  write(value: unknown, at: string, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.#parts.push(quote(value, at));
        return;
      case 'number':
        if (!Number.isFinite(value))
          throw refuse(at, `the number ${String(value)} has no JSON form`);
        // ECMAScript Number::toString is exactly the RFC 8785 number form (and -0 prints as 0).
        this.#parts.push(String(value));
        return;
      case 'boolean':
        this.#parts.push(value ? 'true' : 'false');
        return;
      case 'object':
        if (value === null) this.#parts.push('null');
        else this.#container(value, at, depth + 1);
        return;
      case 'undefined':
      case 'function':
      case 'symbol':
      case 'bigint':
        throw refuse(at, `a ${typeof value} has no JSON form`);
    }
  }

  #container(value: object, at: string, depth: number): void {
    if (depth > this.#maxDepth) {
      throw new RampartError(
        'RAMPART_LIMIT_EXCEEDED',
        `JSON value at ${at} is nested deeper than ${this.#maxDepth}`,
        {
          details: { path: at, limit: this.#maxDepth },
        },
      );
    }
    if (this.#open.has(value)) throw refuse(at, 'the value contains a cycle');
    this.#open.add(value);
    if (Array.isArray(value)) this.#array(value, at, depth);
    else this.#object(value, at, depth);
    this.#open.delete(value);
  }

  #array(items: readonly unknown[], at: string, depth: number): void {
    this.#parts.push('[');
    for (let index = 0; index < items.length; index++) {
      if (index > 0) this.#parts.push(',');
      this.write(items[index], `${at}[${index}]`, depth);
    }
    this.#parts.push(']');
  }

  #object(value: object, at: string, depth: number): void {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value.constructor as { name?: unknown } | undefined)?.name;
      throw refuse(
        at,
        `a ${typeof name === 'string' ? name : 'non-plain'} object has no canonical JSON form`,
      );
    }
    if (Object.getOwnPropertySymbols(value).length > 0)
      throw refuse(at, 'symbol keys have no JSON form');
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 prescribes.
    const keys = Object.keys(record).sort();
    this.#parts.push('{');
    keys.forEach((key, index) => {
      if (index > 0) this.#parts.push(',');
      const child = `${at}.${key}`;
      this.#parts.push(quote(key, child), ':');
      this.write(record[key], child, depth);
    });
    this.#parts.push('}');
  }
}

function quote(text: string, at: string): string {
  if (LONE_SURROGATE.test(text)) throw refuse(at, 'the string contains a lone surrogate');
  // For well-formed strings JSON.stringify applies exactly the RFC 8785 escapes: \" \\ \b \f
  // \n \r \t, \u00xx (lowercase) for other control characters, and nothing else.
  return JSON.stringify(text);
}

function refuse(at: string, reason: string): RampartError {
  return new RampartError(
    'RAMPART_JSON_NOT_CANONICALIZABLE',
    `cannot canonicalize JSON at ${at}: ${reason}`,
    {
      details: { path: at },
    },
  );
}
