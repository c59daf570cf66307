/**
 * Byte sources: random and sequential access to the bytes under inspection, whether a file on
 * disk, a slice of one (a stored zip member) or bytes in memory. Scanners never see paths, so
 * nothing they do can open, import or execute the artefact.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Default chunk size for sequential reads. */
export const CHUNK_SIZE = 4 * 1024 * 1024;

/** Bytes under inspection. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /**
   * True when `read` and `stream(offset)` cost nothing for bytes that are skipped (a file, a
   * slice, memory). False for decompressed streams, where reaching an offset means inflating
   * everything before it: consume those with one `stream()` and skip by discarding.
   */
  readonly seekable: boolean;
  /**
   * Up to `length` bytes from `offset`; shorter only at the end of the source. The result is a
   * fresh buffer the caller may keep.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: fills `target` from `offset` (fewer bytes only at the end) and returns how many
   * were read. Lets a sequential reader reuse one buffer instead of leaving a trail of
   * discarded ones for the garbage collector.
   */
  readInto?(offset: number, target: Uint8Array): Promise<number>;
  /** The bytes from `offset` to the end, in chunks of about `chunkSize`. */
  stream(offset?: number, chunkSize?: number): AsyncIterable<Uint8Array>;
}

/** Bytes held in memory. */
export class BufferSource implements ByteSource {
  readonly seekable = true;
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  get size(): number {
    return this.#bytes.length;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(
      this.#bytes.subarray(offset, Math.min(this.#bytes.length, offset + length)),
    );
  }
  async *stream(offset = 0, chunkSize = CHUNK_SIZE): AsyncIterable<Uint8Array> {
    for (let at = offset; at < this.#bytes.length; at += chunkSize) {
      yield await this.read(at, chunkSize);
    }
  }
}

/** A window `[start, start + size)` of another source, e.g. a stored zip member. */
export class SliceSource implements ByteSource {
  readonly seekable: boolean;
  readonly #base: ByteSource;
  readonly #start: number;
  readonly size: number;
  constructor(base: ByteSource, start: number, size: number) {
    this.#base = base;
    this.#start = start;
    this.seekable = base.seekable;
    this.size = Math.max(0, Math.min(size, base.size - start));
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    const clamped = Math.max(0, Math.min(length, this.size - offset));
    return this.#base.read(this.#start + offset, clamped);
  }
  async readInto(offset: number, target: Uint8Array): Promise<number> {
    const clamped = Math.max(0, Math.min(target.length, this.size - offset));
    const window = target.subarray(0, clamped);
    if (this.#base.readInto !== undefined) return this.#base.readInto(this.#start + offset, window);
    const bytes = await this.#base.read(this.#start + offset, clamped);
    window.set(bytes);
    return bytes.length;
  }
  async *stream(offset = 0, chunkSize = CHUNK_SIZE): AsyncIterable<Uint8Array> {
    for (let at = offset; at < this.size; at += chunkSize) {
      yield await this.read(at, Math.min(chunkSize, this.size - at));
    }
  }
}

/** A regular file, read through one open handle. Call {@link FileSource.close} when done. */
export class FileSource implements ByteSource {
  readonly #handle: FileHandle;
  readonly seekable = true;
  readonly size: number;
  /** The file's path, for parsers that can only read from disk (h5wasm); never executed. */
  readonly path: string;
  #bytesRead = 0;

  private constructor(handle: FileHandle, size: number, path: string) {
    this.#handle = handle;
    this.size = size;
    this.path = path;
  }

  /** Opens `file` for reading; the size is fixed at open time. */
  static async open(file: string): Promise<FileSource> {
    const handle = await open(file, 'r');
    try {
      const info = await handle.stat();
      return new FileSource(handle, info.size, file);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Bytes read so far, for statistics. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - offset)));
    const filled = await this.readInto(offset, buffer);
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  }

  async readInto(offset: number, target: Uint8Array): Promise<number> {
    const wanted = Math.max(0, Math.min(target.length, this.size - offset));
    let filled = 0;
    while (filled < wanted) {
      const at = offset + filled;
      const { bytesRead } = await this.#handle.read(target, filled, wanted - filled, at);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.#bytesRead += filled;
    return filled;
  }

  async *stream(offset = 0, chunkSize = CHUNK_SIZE): AsyncIterable<Uint8Array> {
    for (let at = offset; at < this.size; at += chunkSize) {
      const chunk = await this.read(at, Math.min(chunkSize, this.size - at));
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}
