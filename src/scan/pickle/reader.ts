/**
 * A read window over a byte source for the opcode loop. Seekable sources are read in windows
 * that grow from a few KiB to 1 MiB (small enough that discarded windows never pile up
 * as external memory between collections) and are re-positioned to skip large payloads without
 * reading them; non-seekable sources (decompressed streams) are consumed once, and skipped
 * bytes are discarded as they stream past.
 */
import type { ByteSource } from '../source.js';

const MAX_WINDOW = 1024 * 1024;
const MIN_WINDOW = 8 * 1024;
const EMPTY = new Uint8Array(0);

/** The window the opcode loop reads from. */
export class Reader {
  /** Current bytes; `buf[pos]` is the next unread byte, `buf[end - 1]` the last loaded. */
  buf: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  /** Absolute offset of `buf[0]` in the source. */
  base: number;
  /** True when the window holds the last byte of the source. */
  eof = false;
  readonly source: ByteSource;
  #window = MIN_WINDOW;
  #stream: AsyncIterator<Uint8Array> | undefined;
  #scratch: Uint8Array | undefined;

  constructor(source: ByteSource, start = 0) {
    this.source = source;
    this.base = start;
    this.eof = source.size <= start && source.seekable;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes loaded and not yet consumed. */
  get available(): number {
    return this.end - this.pos;
  }

  /** Loads until at least `min` unread bytes are in the window or the source ends. */
  async fill(min: number): Promise<void> {
    while (this.available < min && !this.eof) {
      if (this.source.seekable) await this.#readAt(this.offset, min);
      else await this.#pull();
    }
  }

  /** Moves to absolute offset `target` (forward only); false if the source ends first. */
  async skipTo(target: number): Promise<boolean> {
    if (target <= this.base + this.end) {
      this.pos = target - this.base;
      return true;
    }
    if (this.source.seekable) {
      if (target > this.source.size) {
        this.#reset(this.source.size);
        this.eof = true;
        return false;
      }
      this.#reset(target);
      this.#window = MIN_WINDOW;
      this.eof = target >= this.source.size;
      return true;
    }
    this.#reset(this.base + this.end);
    while (!this.eof) {
      await this.#pull();
      if (target <= this.base + this.end) {
        this.pos = target - this.base;
        return true;
      }
      this.#reset(this.base + this.end);
    }
    return false;
  }

  /** Moves past the next newline; false if the source ends first. */
  async skipLine(): Promise<boolean> {
    for (;;) {
      const at = this.buf.indexOf(0x0a, this.pos);
      if (at >= 0 && at < this.end) {
        this.pos = at + 1;
        return true;
      }
      this.pos = this.end;
      if (this.eof) return false;
      await this.fill(1);
    }
  }

  #reset(offset: number): void {
    this.buf = EMPTY;
    this.base = offset;
    this.pos = 0;
    this.end = 0;
  }

  async #readAt(offset: number, min: number): Promise<void> {
    const size = Math.max(min, this.#window);
    this.#window = Math.min(MAX_WINDOW, this.#window * 2);
    const chunk = await this.#load(offset, size);
    this.buf = chunk;
    this.base = offset;
    this.pos = 0;
    this.end = chunk.length;
    this.eof = chunk.length < size || offset + chunk.length >= this.source.size;
  }

  // Full-size windows go into one reused buffer: the opcode loop consumes a window before it
  // asks for the next and copies what it keeps, so nothing still points into the old bytes.
  async #load(offset: number, size: number): Promise<Uint8Array> {
    if (size !== MAX_WINDOW || this.source.readInto === undefined) {
      return this.source.read(offset, size);
    }
    this.#scratch ??= new Uint8Array(MAX_WINDOW);
    const filled = await this.source.readInto(offset, this.#scratch);
    return this.#scratch.subarray(0, filled);
  }

  async #pull(): Promise<void> {
    this.#stream ??= this.source.stream(this.base + this.end)[Symbol.asyncIterator]();
    const next = await this.#stream.next();
    if (next.done === true) {
      this.eof = true;
      return;
    }
    const chunk = next.value;
    const rest = this.end - this.pos;
    if (rest === 0) {
      this.buf = chunk;
    } else {
      const joined = new Uint8Array(rest + chunk.length);
      joined.set(this.buf.subarray(this.pos, this.end));
      joined.set(chunk, rest);
      this.buf = joined;
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = this.buf.length;
  }
}

/** Little-endian signed 32-bit integer at `at`. */
export function readInt32(buf: Uint8Array, at: number): number {
  return (
    (buf[at] ?? 0) |
    ((buf[at + 1] ?? 0) << 8) |
    ((buf[at + 2] ?? 0) << 16) |
    ((buf[at + 3] ?? 0) << 24)
  );
}

/** Little-endian unsigned 32-bit integer at `at`. */
export function readUint32(buf: Uint8Array, at: number): number {
  return readInt32(buf, at) >>> 0;
}

/** Little-endian unsigned 64-bit integer at `at`, or -1 above 2^53. */
export function readUint64(buf: Uint8Array, at: number): number {
  const low = readUint32(buf, at);
  const high = readUint32(buf, at + 4);
  return high >= 0x200000 ? -1 : high * 0x100000000 + low;
}
