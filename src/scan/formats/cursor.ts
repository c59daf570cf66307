/**
 * Forward-only reading of a byte source for header parsers. A seekable source is read in small
 * windows and skipped spans are never read; a decompressed stream is consumed once and skipped
 * spans are discarded as they pass.
 */
import type { ByteSource } from '../source.js';

const WINDOW = 64 * 1024;

/** Thrown when the bytes end before a parser's read; parsers turn it into a finding. */
export class Truncated extends Error {
  constructor(at: number) {
    super(`the data ends early (at byte ${at})`);
    this.name = 'Truncated';
  }
}

/** A read position in a source; views it returns are valid until the next call. */
export class Cursor {
  readonly size: number;
  readonly #source: ByteSource;
  #buffer: Uint8Array = new Uint8Array(0);
  #bufferStart = 0;
  #at: number;
  #stream: AsyncIterator<Uint8Array, unknown> | undefined;
  #streamEnd = 0;

  constructor(source: ByteSource, start = 0) {
    this.#source = source;
    this.size = source.size;
    this.#at = start;
    this.#bufferStart = start;
  }

  /** The absolute offset of the next byte. */
  get position(): number {
    return this.#at;
  }

  /** Bytes left in the source. */
  get remaining(): number {
    return this.size - this.#at;
  }

  /** The next `length` bytes as a view; throws {@link Truncated} at the end of the source. */
  async bytes(length: number): Promise<Uint8Array> {
    if (length > this.remaining) throw new Truncated(this.size);
    await this.#fill(length);
    const from = this.#at - this.#bufferStart;
    this.#at += length;
    return this.#buffer.subarray(from, from + length);
  }

  /** A little- or big-endian view over the next `length` bytes. */
  async view(length: number): Promise<DataView> {
    const bytes = await this.bytes(length);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Up to `length` next bytes if they are already buffered (without moving), else undefined. */
  buffered(length: number): Uint8Array | undefined {
    const from = this.#at - this.#bufferStart;
    const wanted = Math.min(length, this.remaining);
    if (from < 0 || from + wanted > this.#buffer.length) return undefined;
    return this.#buffer.subarray(from, from + wanted);
  }

  /** The next `length` bytes as a view if they are already buffered (moving past them). */
  take(length: number): DataView | undefined {
    const bytes = this.buffered(length);
    if (bytes?.length !== length) return undefined;
    this.#at += length;
    return new DataView(bytes.buffer, bytes.byteOffset, length);
  }

  /** Up to `length` next bytes (fewer only at the end of the source), without moving. */
  async peek(length: number): Promise<Uint8Array> {
    const wanted = Math.min(length, this.remaining);
    await this.#fill(wanted);
    const from = this.#at - this.#bufferStart;
    return this.#buffer.subarray(from, from + wanted);
  }

  /** Moves `length` bytes forward; a seekable source never reads the skipped bytes. */
  skip(length: number): void {
    if (length > this.remaining) throw new Truncated(this.size);
    this.#at += length;
  }

  async #fill(length: number): Promise<void> {
    const offset = this.#at - this.#bufferStart;
    if (length === 0 || (offset >= 0 && offset + length <= this.#buffer.length)) return;
    if (this.#source.seekable) {
      this.#buffer = await this.#source.read(this.#at, Math.max(length, WINDOW));
      this.#bufferStart = this.#at;
      if (this.#buffer.length < length) throw new Truncated(this.#at + this.#buffer.length);
      return;
    }
    // A stream: discard whole chunks that end before the position, then gather enough.
    while (this.#streamEnd <= this.#at) {
      this.#buffer = await this.#next();
      this.#bufferStart = this.#streamEnd - this.#buffer.length;
    }
    const parts = [this.#buffer.subarray(this.#at - this.#bufferStart)];
    let have = this.#streamEnd - this.#at;
    while (have < length) {
      const chunk = await this.#next();
      parts.push(chunk);
      have += chunk.length;
    }
    this.#buffer = concat(parts, have);
    this.#bufferStart = this.#at;
  }

  async #next(): Promise<Uint8Array> {
    this.#stream ??= this.#source.stream(0)[Symbol.asyncIterator]() as AsyncIterator<
      Uint8Array,
      unknown
    >;
    const { value, done } = await this.#stream.next();
    if (done === true || value.length === 0) throw new Truncated(this.#streamEnd);
    this.#streamEnd += value.length;
    return value;
  }
}

/** All bytes of `source`, or undefined when it is larger than `max`. */
export async function readAll(source: ByteSource, max: number): Promise<Uint8Array | undefined> {
  if (source.size > max) return undefined;
  if (source.seekable) return source.read(0, source.size);
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source.stream(0)) {
    total += chunk.length;
    if (total > max) return undefined;
    parts.push(chunk);
  }
  return concat(parts, total);
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
