/**
 * bzip2 decoding (joblib `bz2`, zip method 12) with seek-bzip, one block at a time: each block
 * is at most 900 kB before its final run-length expansion, so memory stays bounded whatever
 * the stream's size. Concatenated streams are decoded as Python's bz2 module does.
 */
import Bunzip from 'seek-bzip';
import { DecodeError, type InputWindow } from './input-window.js';

// A real block compresses to about 1 MB at worst; a block that needs more input is hostile.
const BLOCK_LOOKAHEAD = 4 * 1024 * 1024;
const OUT_CHUNK = 64 * 1024;

/** Decodes the bzip2 streams starting at the window's position. */
export async function* decodeBzip2(input: InputWindow): AsyncGenerator<Uint8Array> {
  const sink = new ChunkSink();
  const bytes = {
    readByte: (): number => input.byte(),
    read(buffer: Uint8Array, offset: number, length: number): number {
      for (let i = 0; i < length; i++) buffer[offset + i] = input.byte();
      return length;
    },
  };
  await input.fill(BLOCK_LOOKAHEAD);
  const bz = guard(() => new Bunzip(bytes, sink));
  for (;;) {
    await input.fill(BLOCK_LOOKAHEAD);
    let more: boolean;
    try {
      more = bz._init_block();
      if (more) bz._read_bunzip();
    } catch (error) {
      yield* sink.drain();
      throw asDecodeError(error);
    }
    yield* sink.drain();
    if (more) continue;
    // The stream CRC is not checked: the data before it has been delivered either way.
    guard(() => bz.reader.read(32));
    await input.fill(4);
    if (!startsWithMagic(input)) return;
    guard(() => {
      bz._start_bunzip(bytes, sink);
    });
  }
}

function startsWithMagic(input: InputWindow): boolean {
  const b = input.buf;
  const at = input.pos;
  const level = b[at + 3] ?? 0;
  return (
    input.available >= 4 &&
    b[at] === 0x42 &&
    b[at + 1] === 0x5a &&
    b[at + 2] === 0x68 &&
    level >= 0x31 &&
    level <= 0x39
  );
}

function guard<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw asDecodeError(error);
  }
}

function asDecodeError(error: unknown): Error {
  if (error instanceof DecodeError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new DecodeError(`the bzip2 data is corrupt (${detail})`);
}

// Collects a block's output in fixed-size chunks.
class ChunkSink {
  #chunk = new Uint8Array(OUT_CHUNK);
  #length = 0;
  #full: Uint8Array[] = [];

  writeByte(byte: number): void {
    this.#chunk[this.#length++] = byte;
    if (this.#length === OUT_CHUNK) {
      this.#full.push(this.#chunk);
      this.#chunk = new Uint8Array(OUT_CHUNK);
      this.#length = 0;
    }
  }

  *drain(): Generator<Uint8Array> {
    const full = this.#full;
    this.#full = [];
    yield* full;
    if (this.#length > 0) {
      yield this.#chunk.slice(0, this.#length);
      this.#length = 0;
    }
  }
}
