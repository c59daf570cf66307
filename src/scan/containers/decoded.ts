/**
 * Decompressed bytes as a {@link ByteSource}. Small results are kept in memory; larger ones are
 * a non-seekable source that re-runs the decoder: reads of the head come from a cached prefix,
 * forward reads continue the running decoder, and anything else starts it again. Every pass
 * goes through a {@link DecodeGuard}, which counts inflated bytes and stops bombs.
 */
import { LimitExceeded, type ScanContext } from '../context.js';
import { BufferSource, CHUNK_SIZE, type ByteSource } from '../source.js';
import { UnsupportedError } from './input-window.js';

// Decoded bytes at most this large are held in memory (one decoding pass).
const IN_MEMORY_BYTES = 4 * 1024 * 1024;
// Enough for the engine's sniffing (it reads the first 64 KiB).
const PREFIX_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);

/** A fresh decoding pass from the start of the data. */
export type Decode = () => AsyncIterable<Uint8Array>;

/** What a guard needs to know about the data it watches. */
export interface GuardOptions {
  /** Names the data in messages, e.g. `zip member "data.pkl"`. */
  readonly what: string;
  /** Size of the compressed data, for the ratio check. */
  readonly compressedSize: number;
  /** Output is cut here (a zip member's declared size); Infinity when unknown. */
  readonly maxBytes: number;
  /** Problem code for corrupt data (`zip-encrypted` when the data may be encrypted). */
  readonly corruptCode: string;
  /** Problem code for data using an unsupported feature. */
  readonly unsupportedCode: string;
}

// Every pass counts inflated bytes through `context.inflated` (its LimitExceeded propagates),
// ends at the declared size or when the ratio makes it a bomb (RS204, reported once), and turns
// a decoding error into one problem while keeping the bytes decoded before it.
/** Runs decoding passes of one piece of data under the inflate limits. */
export class DecodeGuard {
  /** True once a pass failed before the end of the data. */
  failed = false;
  readonly #context: ScanContext;
  readonly #options: GuardOptions;
  #bomb = false;

  constructor(context: ScanContext, options: GuardOptions) {
    this.#context = context;
    this.#options = options;
  }

  /** Runs `decode` under the guard. */
  async *run(decode: Decode): AsyncGenerator<Uint8Array> {
    const { limits } = this.#context;
    const { maxBytes, compressedSize } = this.#options;
    const ratioLimit = Math.max(
      limits.ratioFloorBytes,
      compressedSize * limits.maxCompressionRatio,
    );
    let total = 0;
    try {
      for await (const decoded of decode()) {
        const chunk =
          total + decoded.length > maxBytes ? decoded.subarray(0, maxBytes - total) : decoded;
        this.#context.inflated(chunk.length);
        total += chunk.length;
        if (total > ratioLimit) {
          this.#reportBomb(total);
          return;
        }
        if (chunk.length > 0) yield chunk;
        if (total >= maxBytes) return;
      }
    } catch (error) {
      if (error instanceof LimitExceeded) throw error;
      this.#reportError(error);
    }
  }

  #reportBomb(total: number): void {
    if (this.#bomb) return;
    this.#bomb = true;
    const { what, compressedSize } = this.#options;
    this.#context.finding({
      rule: 'RS204',
      message: `${what} inflates past ${total} bytes from ${compressedSize} compressed (over the ${this.#context.limits.maxCompressionRatio}:1 ratio limit); decompression was stopped`,
      check: 'archive.ratio',
    });
  }

  #reportError(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const detail = error instanceof Error ? error.message : String(error);
    const unsupported = error instanceof UnsupportedError;
    const code = unsupported ? this.#options.unsupportedCode : this.#options.corruptCode;
    this.#context.problem(
      code,
      `${this.#options.what}: ${detail}; the bytes before it were scanned`,
    );
  }
}

// With `size` unknown the data is decoded once to measure it.
/** A source over guarded `decode` passes; small data is kept in memory. */
export async function decodedSource(decode: Decode, size?: number): Promise<ByteSource> {
  if (size !== undefined && size > IN_MEMORY_BYTES) return new DecodedSource(decode, size, EMPTY);
  const kept: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of decode()) {
    if (total + chunk.length <= IN_MEMORY_BYTES) kept.push(chunk);
    total += chunk.length;
    if (size !== undefined && total >= size) break;
  }
  const prefix = concat(kept);
  if (total <= IN_MEMORY_BYTES) return new BufferSource(prefix);
  return new DecodedSource(decode, total, prefix.subarray(0, PREFIX_BYTES));
}

interface Pass {
  readonly iterator: AsyncIterator<Uint8Array>;
  start: number;
  chunk: Uint8Array;
}

// A non-seekable source that decodes again whenever it must go back.
class DecodedSource implements ByteSource {
  readonly seekable = false;
  readonly size: number;
  readonly #decode: Decode;
  #prefix: Uint8Array;
  #pass: Pass | undefined;

  constructor(decode: Decode, size: number, prefix: Uint8Array) {
    this.#decode = decode;
    this.size = size;
    this.#prefix = prefix;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return EMPTY;
    if (end <= this.#prefix.length) return this.#prefix.slice(offset, end);
    let pass = this.#pass;
    if (pass === undefined || pass.start > offset) {
      await pass?.iterator.return?.();
      pass = { iterator: this.#decode()[Symbol.asyncIterator](), start: 0, chunk: EMPTY };
      this.#pass = pass;
    }
    const out = new Uint8Array(end - offset);
    let filled = 0;
    for (;;) {
      const from = offset + filled;
      const chunkEnd = pass.start + pass.chunk.length;
      if (from >= pass.start && from < chunkEnd) {
        const count = Math.min(end, chunkEnd) - from;
        out.set(pass.chunk.subarray(from - pass.start, from - pass.start + count), filled);
        filled += count;
      }
      if (filled === out.length) break;
      const next = await this.#next(pass);
      if (!next) break;
    }
    // A read of the head alone (sniffing) is followed by a full stream(): do not keep a
    // decoder and its buffers open for nothing.
    if (end <= this.#prefix.length && this.#pass !== undefined) {
      this.#pass = undefined;
      await pass.iterator.return?.();
    }
    return filled === out.length ? out : out.subarray(0, filled);
  }

  async *stream(offset = 0, chunkSize = CHUNK_SIZE): AsyncIterable<Uint8Array> {
    let at = 0;
    for await (const chunk of this.#decode()) {
      const end = Math.min(at + chunk.length, this.size);
      for (let from = Math.max(at, offset); from < end; from += chunkSize) {
        yield chunk.subarray(from - at, Math.min(end, from + chunkSize) - at);
      }
      at = end;
      if (at >= this.size) return;
    }
  }

  async #next(pass: Pass): Promise<boolean> {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await pass.iterator.next();
    } catch (error) {
      this.#pass = undefined;
      throw error;
    }
    if (result.done === true) {
      this.#pass = undefined;
      return false;
    }
    pass.start += pass.chunk.length;
    pass.chunk = result.value;
    if (pass.start === this.#prefix.length && pass.start < PREFIX_BYTES) {
      this.#prefix = concat([this.#prefix, pass.chunk.subarray(0, PREFIX_BYTES - pass.start)]);
    }
    return true;
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
