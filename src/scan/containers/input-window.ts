/**
 * Buffered forward reading of compressed bytes for the synchronous decoders (LZMA, xz, bzip2):
 * the driver tops the window up asynchronously, then the decoder pulls bytes synchronously and
 * fails with {@link DecodeError} if it runs past what was buffered.
 */
import type { ByteSource } from '../source.js';

/** Compressed data is corrupt or truncated; the decoder stops and the scanner reports it. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** The data uses a feature we do not decode (a filter, a method); reported, not guessed at. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

const READ_CHUNK = 64 * 1024;

/** A sliding window over a source's bytes from some offset; `buf[pos..end)` is buffered. */
export class InputWindow {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  #base: number;
  #next: number;
  readonly #source: ByteSource;

  constructor(source: ByteSource, start = 0) {
    this.#source = source;
    this.#base = start;
    this.#next = start;
  }

  /** Absolute offset in the source of the next unread byte. */
  get offset(): number {
    return this.#base + this.pos;
  }

  /** True once every byte of the source has been buffered. */
  get ended(): boolean {
    return this.#next >= this.#source.size;
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.end - this.pos;
  }

  /** Buffers at least `count` unread bytes, or everything left in the source. */
  async fill(count: number): Promise<void> {
    if (this.end - this.pos >= count || this.ended) return;
    const want = count - (this.end - this.pos);
    const wanted = Math.max(want, READ_CHUNK);
    const read = await this.#source.read(
      this.#next,
      Math.min(wanted, this.#source.size - this.#next),
    );
    if (read.length === 0) {
      this.#next = this.#source.size;
      return;
    }
    const kept = this.end - this.pos;
    const next = new Uint8Array(kept + read.length);
    next.set(this.buf.subarray(this.pos, this.end));
    next.set(read, kept);
    this.#base += this.pos;
    this.#next += read.length;
    this.buf = next;
    this.pos = 0;
    this.end = next.length;
    if (read.length < want) await this.fill(count);
  }

  /** The next byte; throws when nothing is buffered. */
  byte(): number {
    if (this.pos >= this.end) throw new DecodeError(this.#shortMessage());
    return this.buf[this.pos++] ?? 0;
  }

  /** The next `count` bytes (a view valid until the next fill). */
  take(count: number): Uint8Array {
    if (this.end - this.pos < count) throw new DecodeError(this.#shortMessage());
    const view = this.buf.subarray(this.pos, this.pos + count);
    this.pos += count;
    return view;
  }

  /** Moves past `count` bytes, reading more as needed. */
  async skip(count: number): Promise<void> {
    let left = count;
    while (left > 0) {
      await this.fill(Math.min(left, READ_CHUNK));
      const step = Math.min(left, this.end - this.pos);
      if (step === 0) throw new DecodeError(this.#shortMessage());
      this.pos += step;
      left -= step;
    }
  }

  #shortMessage(): string {
    return this.ended
      ? `the compressed data ends early (at byte ${this.offset})`
      : `a compressed block is larger than the decoder accepts (at byte ${this.offset})`;
  }
}
