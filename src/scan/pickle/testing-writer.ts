/**
 * Test-only pickle writer: builds opcode streams byte by byte, so tests never need Python and
 * can write malformed or hostile pickles a real pickler would refuse to produce.
 */
import * as op from './opcodes.js';

/** A Python value the writer knows how to push. */
export type Arg = string | number | boolean | null | Uint8Array | readonly Arg[];

const encoder = new TextEncoder();

function le(value: number, size: number): number[] {
  const out: number[] = [];
  let rest = BigInt.asUintN(size * 8, BigInt(value));
  for (let i = 0; i < size; i++) {
    out.push(Number(rest & 0xffn));
    rest >>= 8n;
  }
  return out;
}

/** Appends opcodes; every method returns the writer for chaining. */
export class PickleWriter {
  readonly #parts: Uint8Array[] = [];

  /** The pickle so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#parts.reduce((n, part) => n + part.length, 0));
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Raw bytes (a latin-1 string or bytes). */
  raw(data: string | Uint8Array | readonly number[]): this {
    if (typeof data === 'string') {
      this.#parts.push(Uint8Array.from(data, (ch) => ch.charCodeAt(0) & 0xff));
    } else this.#parts.push(Uint8Array.from(data));
    return this;
  }

  /** An opcode followed by little-endian fields `[value, size]`. */
  op(code: number, ...fields: (readonly [number, number])[]): this {
    return this.raw([code, ...fields.flatMap(([value, size]) => le(value, size))]);
  }

  proto(version: number): this {
    return this.op(op.PROTO, [version, 1]);
  }

  frame(length: number): this {
    return this.op(op.FRAME, [length, 8]);
  }

  stop(): this {
    return this.op(op.STOP);
  }

  mark(): this {
    return this.op(op.MARK);
  }

  int(value: number): this {
    if (value >= 0 && value < 256) return this.op(op.BININT1, [value, 1]);
    if (value >= 0 && value < 65536) return this.op(op.BININT2, [value, 2]);
    if (value >= -(2 ** 31) && value < 2 ** 31) return this.op(op.BININT, [value, 4]);
    return this.op(op.LONG1, [8, 1], [value, 8]);
  }

  float(): this {
    return this.op(op.BINFLOAT, [0, 8]);
  }

  /** A `str` with the shortest binary opcode. */
  str(text: string): this {
    const bytes = encoder.encode(text);
    if (bytes.length < 256) return this.op(op.SHORT_BINUNICODE, [bytes.length, 1]).raw(bytes);
    return this.op(op.BINUNICODE, [bytes.length, 4]).raw(bytes);
  }

  /** `bytes` with the shortest binary opcode. */
  bin(bytes: Uint8Array): this {
    if (bytes.length < 256) return this.op(op.SHORT_BINBYTES, [bytes.length, 1]).raw(bytes);
    return this.op(op.BINBYTES, [bytes.length, 4]).raw(bytes);
  }

  /** Pushes `value` (tuples for arrays). */
  value(value: Arg): this {
    if (value === null) return this.op(op.NONE);
    if (value === true) return this.op(op.NEWTRUE);
    if (value === false) return this.op(op.NEWFALSE);
    if (typeof value === 'number') return this.int(value);
    if (typeof value === 'string') return this.str(value);
    if (value instanceof Uint8Array) return this.bin(value);
    return this.tuple(...value);
  }

  tuple(...items: readonly Arg[]): this {
    if (items.length === 0) return this.op(op.EMPTY_TUPLE);
    if (items.length <= 3) {
      for (const item of items) this.value(item);
      return this.op(op.TUPLE1 + items.length - 1);
    }
    this.mark();
    for (const item of items) this.value(item);
    return this.op(op.TUPLE);
  }

  /** Protocol-0 GLOBAL. */
  global(module: string, name: string): this {
    return this.op(op.GLOBAL).raw(encoder.encode(`${module}\n${name}\n`));
  }

  /** Protocol-4 STACK_GLOBAL from two strings. */
  stackGlobal(module: string, name: string): this {
    return this.str(module).str(name).op(op.STACK_GLOBAL);
  }

  reduce(): this {
    return this.op(op.REDUCE);
  }

  build(): this {
    return this.op(op.BUILD);
  }

  newobj(): this {
    return this.op(op.NEWOBJ);
  }

  pop(): this {
    return this.op(op.POP);
  }

  memoize(): this {
    return this.op(op.MEMOIZE);
  }

  put(index: number): this {
    return index < 256 ? this.op(op.BINPUT, [index, 1]) : this.op(op.LONG_BINPUT, [index, 4]);
  }

  get(index: number): this {
    return index < 256 ? this.op(op.BINGET, [index, 1]) : this.op(op.LONG_BINGET, [index, 4]);
  }

  /** `module.name(*args)` through STACK_GLOBAL + TUPLE + REDUCE. */
  call(module: string, name: string, ...args: readonly Arg[]): this {
    return this.stackGlobal(module, name)
      .tuple(...args)
      .reduce();
  }
}

/** A fresh writer. */
export function pickle(): PickleWriter {
  return new PickleWriter();
}
