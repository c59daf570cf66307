/**
 * A bounded protobuf wire-format walker for ONNX and TensorFlow files, with no schema compiler
 * and no protobuf library. It visits the fields of a message in order; length-delimited fields a
 * visitor does not read are skipped without reading their bytes (an ONNX initializer may hold
 * gigabytes of raw_data), so memory stays flat whatever the file size.
 */
import type { ScanContext } from '../context.js';
import { Truncated, type Cursor } from './cursor.js';

/** Wire types (protobuf encoding spec). */
export const VARINT = 0;
export const LEN = 2;

const MAX_DEPTH = 100;
const MAX_FIELDS = 50_000_000;
const UTF8 = new TextDecoder();

/** The bytes are not a valid protobuf encoding. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ProtoError';
  }
}

/** The encoding is valid but over a nesting or field-count limit. */
export class ProtoLimit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoLimit';
  }
}

/** Reports a walker failure as a `<format>-…` problem; anything else is rethrown. */
export function protoProblem(context: ScanContext, format: string, error: unknown): void {
  if (error instanceof ProtoError) {
    context.problem(`${format}-malformed`, error.message, error.offset);
  } else if (error instanceof ProtoLimit) {
    context.problem(`${format}-too-complex`, error.message);
  } else if (error instanceof Truncated) {
    context.problem(`${format}-truncated`, error.message);
  } else {
    throw error;
  }
}

/** One field as it is met. */
export interface Field {
  readonly number: number;
  readonly wire: number;
  /** The value of a varint field. */
  readonly value: number;
  /** Where a length-delimited payload starts, and its length. */
  readonly start: number;
  readonly length: number;
}

/** A visitor; it may read a length-delimited payload from its start, or ignore it. */
export type Visit = (field: Field) => Promise<void> | undefined;

/** Walks messages over one forward-only cursor. */
export class ProtoReader {
  readonly cursor: Cursor;
  #depth = 0;
  #fields = 0;
  #overrun: number | undefined;

  constructor(cursor: Cursor) {
    this.cursor = cursor;
  }

  /** Visits every field of the message that ends at `end` (the cursor is at its start). */
  async message(end: number, visit: Visit): Promise<void> {
    if (++this.#depth > MAX_DEPTH) throw new ProtoLimit(`messages nested over ${MAX_DEPTH} deep`);
    try {
      while (this.cursor.position < end) {
        const field = await this.#field(end);
        if (field.wire === 3) {
          await this.#skipGroup(field.number, end);
          continue;
        }
        if (field.wire === 4) throw new ProtoError('an end-group tag without a group', field.start);
        const done = visit(field);
        if (done !== undefined) await done;
        this.#finish(field);
      }
      if (this.cursor.position !== end) {
        throw new ProtoError('a field runs past the end of its message', this.cursor.position);
      }
      if (this.#depth === 1 && this.#overrun !== undefined) {
        throw new ProtoError('a field runs past the end of its message', this.#overrun);
      }
    } finally {
      this.#depth--;
    }
  }

  /** The payload of a length-delimited field as text, cut at `max` bytes. */
  async text(field: Field, max = 65_536): Promise<string> {
    const bytes = await this.cursor.bytes(Math.min(field.length, max));
    return UTF8.decode(bytes);
  }

  /** Visits a length-delimited field's payload as a nested message. */
  async nested(field: Field, visit: Visit): Promise<void> {
    await this.message(field.start + field.length, visit);
  }

  async #field(end: number): Promise<Field> {
    if (++this.#fields > MAX_FIELDS) throw new ProtoLimit(`more than ${MAX_FIELDS} fields`);
    const at = this.cursor.position;
    const bytes = this.cursor.buffered(20) ?? (await this.cursor.peek(20));
    const [tag, tagLength] = varint(bytes, 0, at);
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (number === 0) throw new ProtoError('field number 0', at);
    let value = 0;
    let length = 0;
    let used = tagLength;
    if (wire === VARINT || wire === LEN) {
      const [decoded, size] = varint(bytes, tagLength, at);
      used += size;
      if (wire === VARINT) value = decoded;
      else length = decoded;
    } else if (wire === 1 || wire === 5) {
      length = wire === 1 ? 8 : 4;
    } else if (wire !== 3 && wire !== 4) {
      throw new ProtoError(`invalid wire type ${wire}`, at);
    }
    const start = at + used;
    if (start > end) throw new ProtoError('a field runs past the end of its message', at);
    // A length past the end (a truncated file) is walked as far as it goes, then reported,
    // so what comes before the damage is still seen.
    if (start + length > end) {
      this.#overrun ??= at;
      length = end - start;
    }
    this.cursor.skip(used);
    return { number, wire, value, start, length };
  }

  // After a visit, move to the end of the field whether or not the visitor read it.
  #finish(field: Field): void {
    const end = field.start + field.length;
    const position = this.cursor.position;
    if (position > end) throw new ProtoError('a nested message overruns its field', position);
    this.cursor.skip(end - position);
  }

  // Groups are deprecated but legal in unknown fields: skip to the matching end-group tag.
  async #skipGroup(number: number, end: number): Promise<void> {
    if (++this.#depth > MAX_DEPTH) throw new ProtoLimit(`groups nested over ${MAX_DEPTH} deep`);
    try {
      while (this.cursor.position < end) {
        const field = await this.#field(end);
        if (field.wire === 4) {
          if (field.number !== number)
            throw new ProtoError('mismatched end-group tag', field.start);
          return;
        }
        if (field.wire === 3) await this.#skipGroup(field.number, end);
        else this.#finish(field);
      }
      throw new ProtoError('a group is not closed', this.cursor.position);
    } finally {
      this.#depth--;
    }
  }
}

/** Decodes a varint from `bytes` at `from`: [value, length]; huge values lose precision. */
export function varint(bytes: Uint8Array, from: number, offset: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const byte = bytes[from + i];
    if (byte === undefined) throw new ProtoError('a varint runs past the end of the data', offset);
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, i + 1];
    scale *= 128;
  }
  throw new ProtoError('a varint is longer than 10 bytes', offset);
}
