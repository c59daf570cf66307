/**
 * Stream drivers over {@link LzmaDecoder}: the xz container with LZMA2 blocks (joblib `xz`, zip
 * method 95), .lzma "alone" files (joblib `lzma`) and raw LZMA (zip method 14). Checksums are
 * not verified: a loader that reads a payload before reaching a bad checksum has already run it.
 */
import { DecodeError, UnsupportedError, type InputWindow } from './input-window.js';
import { LOOKAHEAD, LzmaDecoder, lzmaProps } from './lzma.js';

const OUT_CHUNK = 64 * 1024;
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const LZMA2_FILTER = 0x21;

/** Decodes every stream of an xz file; trailing bytes that are not another stream are ignored. */
export async function* decodeXz(input: InputWindow): AsyncGenerator<Uint8Array> {
  let first = true;
  for (;;) {
    await input.fill(12);
    if (!first) {
      while (
        input.available >= 4 &&
        input.buf.subarray(input.pos, input.pos + 4).every((b) => b === 0)
      ) {
        input.pos += 4;
        await input.fill(12);
      }
      if (!startsWith(input, XZ_MAGIC)) return;
    }
    first = false;
    const check = streamHeader(input);
    const decoder = new LzmaDecoder(input);
    for (;;) {
      await input.fill(1024);
      const start = input.offset;
      const size = input.byte();
      if (size === 0) {
        await skipIndex(input, start);
        break;
      }
      yield* block(input, decoder, start, (size + 1) * 4);
      await input.skip(CHECK_SIZES[check] ?? 0);
    }
  }
}

/** Decodes a .lzma (LZMA "alone") file: 13-byte header, then one LZMA stream. */
export async function* decodeLzmaAlone(input: InputWindow): AsyncGenerator<Uint8Array> {
  await input.fill(13 + LOOKAHEAD);
  const header = input.take(13);
  const props = lzmaProps(header[0] ?? 0xff);
  if (props === undefined) throw new DecodeError('the .lzma properties byte is invalid');
  const view = new DataView(header.buffer, header.byteOffset, 13);
  const known = !header.subarray(5).every((b) => b === 0xff);
  const size = known ? Number(view.getBigUint64(5, true)) : Infinity;
  yield* rawLzma(input, props, view.getUint32(1, true), size);
}

/** Decodes zip method 14: a 4-byte version/length prefix, the 5 property bytes, then LZMA. */
export async function* decodeZipLzma(input: InputWindow, size: number): AsyncGenerator<Uint8Array> {
  await input.fill(9 + LOOKAHEAD);
  const header = input.take(4);
  const propsLength = (header[2] ?? 0) | ((header[3] ?? 0) << 8);
  if (propsLength < 5) throw new DecodeError('the zip LZMA properties are too short');
  const propsBytes = input.take(propsLength);
  const props = lzmaProps(propsBytes[0] ?? 0xff);
  if (props === undefined) throw new DecodeError('the zip LZMA properties byte is invalid');
  const dict = new DataView(propsBytes.buffer, propsBytes.byteOffset, 5).getUint32(1, true);
  yield* rawLzma(input, props, dict, size);
}

async function* rawLzma(
  input: InputWindow,
  props: { lc: number; lp: number; pb: number },
  dictSize: number,
  size: number,
): AsyncGenerator<Uint8Array> {
  const decoder = new LzmaDecoder(input);
  decoder.setProps(props);
  decoder.resetDictionary(dictSize);
  decoder.initRange();
  let left = size;
  for (;;) {
    await input.fill(LOOKAHEAD);
    const { bytes, status } = decoder.decode(OUT_CHUNK, left, input.ended);
    left -= bytes.length;
    if (bytes.length > 0) yield bytes;
    if (status === 'end-marker' || status === 'size-reached') return;
  }
}

function streamHeader(input: InputWindow): number {
  if (!startsWith(input, XZ_MAGIC)) throw new DecodeError('not an xz stream');
  const header = input.take(12);
  const flags = header[7] ?? 0xff;
  if (header[6] !== 0 || flags > 0x0f) throw new DecodeError('unsupported xz stream flags');
  return flags;
}

async function* block(
  input: InputWindow,
  decoder: LzmaDecoder,
  start: number,
  headerSize: number,
): AsyncGenerator<Uint8Array> {
  await input.fill(headerSize);
  const flags = input.byte();
  if ((flags & 0x3c) !== 0) throw new UnsupportedError('unsupported xz block flags');
  if ((flags & 0x40) !== 0) varint(input);
  if ((flags & 0x80) !== 0) varint(input);
  const filters = (flags & 3) + 1;
  const id = varint(input);
  const propsSize = varint(input);
  if (filters !== 1 || id !== LZMA2_FILTER || propsSize !== 1) {
    throw new UnsupportedError(`xz filter chain with filter 0x${id.toString(16)} is not supported`);
  }
  const dictByte = input.byte();
  if (dictByte > 40) throw new DecodeError('the xz LZMA2 dictionary size is invalid');
  const dictSize =
    dictByte === 40 ? 0xffffffff : (2 | (dictByte & 1)) * 2 ** ((dictByte >>> 1) + 11);
  const consumed = input.offset - start;
  if (consumed > headerSize) throw new DecodeError('the xz block header overflows its size');
  input.pos += headerSize - consumed;
  const dataStart = input.offset;
  yield* lzma2(input, decoder, dictSize);
  await input.skip((4 - ((input.offset - dataStart) % 4)) % 4);
}

async function* lzma2(
  input: InputWindow,
  decoder: LzmaDecoder,
  dictSize: number,
): AsyncGenerator<Uint8Array> {
  let needDictionary = true;
  let needProps = true;
  for (;;) {
    await input.fill(6);
    const control = input.byte();
    if (control === 0) return;
    if (control === 1 || control === 2) {
      if (control === 1) decoder.resetDictionary(dictSize);
      else if (needDictionary) throw new DecodeError('LZMA2 data without a dictionary reset');
      needDictionary = false;
      const length = ((input.byte() << 8) | input.byte()) + 1;
      await input.fill(length);
      yield decoder.copyStored(input.take(length));
      continue;
    }
    if (control < 0x80) throw new DecodeError('an invalid LZMA2 control byte');
    let unpacked = (control & 0x1f) * 65536 + ((input.byte() << 8) | input.byte()) + 1;
    const packed = ((input.byte() << 8) | input.byte()) + 1;
    const reset = (control >>> 5) & 3;
    if (reset === 3) decoder.resetDictionary(dictSize);
    else if (needDictionary) throw new DecodeError('LZMA2 data without a dictionary reset');
    needDictionary = false;
    if (reset >= 2) {
      const props = lzmaProps(input.byte());
      if (props === undefined || props.lc + props.lp > 4)
        throw new DecodeError('bad LZMA2 properties');
      decoder.setProps(props);
      needProps = false;
    } else if (needProps) throw new DecodeError('LZMA2 data without properties');
    else if (reset === 1) decoder.resetState();
    await input.fill(packed);
    const chunkEnd = input.offset + packed;
    const savedEnd = input.end;
    input.end = Math.min(input.end, input.pos + packed);
    try {
      decoder.initRange();
      while (unpacked > 0) {
        const { bytes } = decoder.decode(OUT_CHUNK, unpacked, true);
        if (bytes.length === 0) throw new DecodeError('an LZMA2 chunk ended early');
        unpacked -= bytes.length;
        yield bytes;
      }
    } finally {
      input.end = savedEnd;
    }
    if (input.offset > chunkEnd) throw new DecodeError('an LZMA2 chunk overruns its packed size');
    input.pos += chunkEnd - input.offset;
  }
}

async function skipIndex(input: InputWindow, start: number): Promise<void> {
  await input.fill(18);
  const records = varint(input);
  for (let i = 0; i < records; i++) {
    await input.fill(18);
    varint(input);
    varint(input);
  }
  await input.skip(((4 - ((input.offset - start) % 4)) % 4) + 4 + 12);
}

function varint(input: InputWindow): number {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    const byte = input.byte();
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (!Number.isSafeInteger(value)) throw new DecodeError('an xz size is too large');
      return value;
    }
  }
  throw new DecodeError('an xz variable-length integer is too long');
}

function startsWith(input: InputWindow, magic: readonly number[]): boolean {
  return input.available >= magic.length && magic.every((b, i) => input.buf[input.pos + i] === b);
}
