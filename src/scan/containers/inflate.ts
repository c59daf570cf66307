/**
 * Deflate decoding with node:zlib, streamed with backpressure so a bomb never sits in memory:
 * raw deflate (zip method 8), zlib streams (joblib, including its old `ZF` files) and gzip,
 * whose member headers are parsed here so that flag bits Python ignores do not stop us.
 */
import { Readable } from 'node:stream';
import { createInflate, createInflateRaw } from 'node:zlib';
import { LimitExceeded } from '../context.js';
import { SliceSource, type ByteSource } from '../source.js';
import { DecodeError } from './input-window.js';

const CHUNK = 64 * 1024;
// A gzip file name or comment longer than this is not a real header.
const MAX_GZIP_FIELD = 1024 * 1024;

/** Inflates a raw deflate or zlib stream; returns the number of compressed bytes it used. */
export async function* inflate(
  compressed: AsyncIterable<Uint8Array>,
  format: 'raw' | 'zlib',
): AsyncGenerator<Uint8Array, number> {
  const inflater =
    format === 'raw' ? createInflateRaw({ chunkSize: CHUNK }) : createInflate({ chunkSize: CHUNK });
  const feed = Readable.from(compressed, { objectMode: false });
  feed.on('error', (error) => inflater.destroy(error));
  feed.pipe(inflater);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    // The compressed bytes may themselves be decoded data that hit the inflate limit.
    if (error instanceof LimitExceeded) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new DecodeError(`the deflate data is corrupt (${detail})`);
  } finally {
    feed.destroy();
    inflater.destroy();
  }
  return inflater.bytesWritten;
}

/** Decodes joblib's zlib file: a zlib stream, or the pre-0.10 `ZF` header then a zlib stream. */
export async function* decodeZlib(source: ByteSource): AsyncGenerator<Uint8Array> {
  const head = await source.read(0, 22);
  let start = 0;
  if (head[0] === 0x5a && head[1] === 0x46) start = head[21] === 0x20 ? 22 : 21;
  yield* inflate(new SliceSource(source, start, source.size - start).stream(0, CHUNK), 'zlib');
}

/** Decodes every member of a gzip file; zero padding and trailing garbage end it quietly. */
export async function* decodeGzip(source: ByteSource): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (;;) {
    const body = await gzipHeader(source, at);
    const rest = new SliceSource(source, body, source.size - body);
    const used = yield* inflate(rest.stream(0, CHUNK), 'raw');
    at = await skipZeros(source, body + used + 8);
    const magic = await source.read(at, 2);
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) return;
  }
}

/** True when `head` is a gzip member header (magic and the deflate method). */
export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
}

// Returns the offset of the deflate data of the member whose header starts at `at`.
async function gzipHeader(source: ByteSource, at: number): Promise<number> {
  const fixed = await source.read(at, 10);
  if (fixed.length < 10 || !isGzip(fixed))
    throw new DecodeError(`no gzip member header at byte ${at}`);
  const flags = fixed[3] ?? 0;
  let offset = at + 10;
  if ((flags & 4) !== 0) {
    const length = await source.read(offset, 2);
    offset += 2 + ((length[0] ?? 0) | ((length[1] ?? 0) << 8));
  }
  if ((flags & 8) !== 0) offset = await skipString(source, offset);
  if ((flags & 16) !== 0) offset = await skipString(source, offset);
  if ((flags & 2) !== 0) offset += 2;
  if (offset > source.size) throw new DecodeError('the gzip header runs past the end');
  return offset;
}

async function skipString(source: ByteSource, start: number): Promise<number> {
  for (let at = start; at < start + MAX_GZIP_FIELD && at < source.size; at += 4096) {
    const block = await source.read(at, 4096);
    const nul = block.indexOf(0);
    if (nul >= 0) return at + nul + 1;
  }
  throw new DecodeError('a gzip header name or comment is not terminated');
}

async function skipZeros(source: ByteSource, start: number): Promise<number> {
  let at = start;
  while (at < source.size) {
    const block = await source.read(at, 4096);
    const nonZero = block.findIndex((b) => b !== 0);
    if (nonZero >= 0) return at + nonZero;
    at += block.length;
  }
  return at;
}
