/**
 * GGUF (llama.cpp): magic, version, key-value metadata, tensor infos. Only the header is read.
 * Structure is checked the way llama.cpp's loader checks it (a file it would read differently or
 * reject is RS302), and chat templates in the metadata go to the template checker (RS303).
 */
import type { FormatScanner, ScanContext } from '../context.js';
import { Cursor, Truncated } from './cursor.js';
import { HeaderLimit, Malformed, Reader } from './gguf-reader.js';
import { checkTemplate } from './template.js';

const MAGIC = [0x47, 0x47, 0x55, 0x46];
const DEFAULT_ALIGNMENT = 32;
const MAX_DIMS = 4;
const MAX_NAME = 65_535;
const MAX_ARRAY_DEPTH = 4;
const STRING = 8;
const ARRAY = 9;
type Sizes = readonly (number | undefined)[];
// Byte size of each scalar value type, by type number (8 string and 9 array are variable).
const SCALAR_SIZE: Sizes = [1, 1, 2, 2, 4, 4, 4, 1, undefined, undefined, 8, 8, 8];
// ggml tensor types as type:elements-per-block/bytes-per-block (gguf-py GGML_QUANT_SIZES).
const GGML_TYPES = new Map(
  `0:1/4 1:1/2 2:32/18 3:32/20 6:32/22 7:32/24 8:32/34 9:32/40 10:256/84 11:256/110 12:256/144
   13:256/176 14:256/210 15:256/292 16:256/66 17:256/74 18:256/98 19:256/50 20:32/18 21:256/110
   22:256/82 23:256/136 24:1/1 25:1/2 26:1/4 27:1/8 28:1/8 29:256/56 30:1/2 34:256/54 35:256/66
   39:32/17 40:64/36 41:128/18 42:64/18`
    .split(/\s+/)
    .map((entry) => {
      const [type, block, bytes] = entry.split(/[:/]/).map(Number);
      return [type ?? -1, [block ?? 1, bytes ?? 0] as const];
    }),
);

/** True for the GGUF magic followed by a version 1–3 in either byte order. */
export function looksLikeGguf(head: Uint8Array): boolean {
  if (head.length < 8 || !MAGIC.every((byte, i) => head[i] === byte)) return false;
  const view = new DataView(head.buffer, head.byteOffset, 8);
  return [true, false].some((le) => {
    const version = view.getUint32(4, le);
    return version >= 1 && version <= 3;
  });
}

/** Checks GGUF metadata and tensor infos (RS302) and the chat templates in them (RS303). */
export const scanGguf: FormatScanner = async (source, context) => {
  const reader = new Reader(new Cursor(source, 4), context.limits.maxHeaderBytes);
  try {
    await parse(reader, context, source.size);
  } catch (error) {
    if (error instanceof Truncated) {
      fail(context, 'truncated', `the header is cut short: ${error.message}`);
    } else if (error instanceof Malformed) {
      fail(context, error.check, error.message);
    } else if (error instanceof HeaderLimit) {
      context.problem('gguf-header-too-large', error.message);
    } else {
      throw error;
    }
  }
};

async function parse(reader: Reader, context: ScanContext, size: number): Promise<void> {
  const view = await reader.cursor.view(4);
  const le = view.getUint32(0, true);
  reader.littleEndian = le >= 1 && le <= 3;
  const version = view.getUint32(0, reader.littleEndian);
  if (version < 1 || version > 3) throw new Malformed('version', `unknown GGUF version ${le}`);
  reader.wide = version > 1;
  const tensorCount = await reader.length('tensor count', 8);
  const kvCount = await reader.length('metadata count', 8);
  const alignment = await readMetadata(reader, context, kvCount);
  await readTensorInfos(reader, context, tensorCount, alignment, size);
}

async function readMetadata(reader: Reader, context: ScanContext, count: number): Promise<number> {
  const keys = new Set<string>();
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < count; i++) {
    const key = (await reader.string('key', true, MAX_NAME)) ?? '';
    if (keys.has(key)) {
      throw new Malformed('duplicate-key', `the metadata key "${key}" appears twice`);
    }
    keys.add(key);
    const type = await reader.u32();
    if (key === 'general.alignment') {
      if (type !== 4) throw new Malformed('alignment', 'general.alignment is not a uint32');
      alignment = await reader.u32();
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
        throw new Malformed('alignment', `general.alignment ${alignment} is not a power of two`);
      }
    } else if (type === STRING && isTemplateKey(key)) {
      const template = (await reader.string(key, true)) ?? '';
      for (const finding of checkTemplate(template)) {
        context.finding({ ...finding, message: `${finding.message} (in ${key})` });
      }
    } else {
      await skipValue(reader, type, 0);
    }
  }
  return alignment;
}

function isTemplateKey(key: string): boolean {
  return key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.');
}

async function skipValue(reader: Reader, type: number, depth: number): Promise<void> {
  const scalar = SCALAR_SIZE[type];
  if (scalar !== undefined) {
    reader.cursor.skip(scalar);
  } else if (type === STRING) {
    await reader.string('string', false);
  } else if (type === ARRAY) {
    if (depth >= MAX_ARRAY_DEPTH) {
      throw new Malformed('array-depth', 'arrays are nested too deeply');
    }
    const elementType = await reader.u32();
    const elementSize = SCALAR_SIZE[elementType];
    const count = await reader.length('array length', elementSize ?? 4);
    if (elementSize !== undefined) {
      reader.cursor.skip(count * elementSize);
    } else if (elementType === STRING) {
      for (let i = 0; i < count; i++) {
        if (!reader.skipBufferedString()) await reader.string('string', false);
      }
    } else if (elementType === ARRAY) {
      for (let i = 0; i < count; i++) await skipValue(reader, elementType, depth + 1);
    } else {
      throw new Malformed('value-type', `an array holds values of unknown type ${elementType}`);
    }
  } else {
    throw new Malformed('value-type', `a metadata value has unknown type ${type}`);
  }
  if (reader.cursor.position > reader.limit) {
    throw new HeaderLimit(`the GGUF metadata is larger than the ${reader.limit}-byte scan limit`);
  }
}

async function readTensorInfos(
  reader: Reader,
  context: ScanContext,
  count: number,
  alignment: number,
  size: number,
): Promise<void> {
  const names = new Set<string>();
  let expected = 0n;
  let end = 0n;
  let sizesKnown = true;
  for (let i = 0; i < count; i++) {
    const name = (await reader.string('tensor name', true, MAX_NAME)) ?? '';
    if (names.has(name)) {
      fail(context, 'tensor-duplicate', `the tensor name "${name}" appears twice`);
    }
    names.add(name);
    const dims = await reader.u32();
    if (dims > MAX_DIMS) {
      throw new Malformed('tensor-dims', `tensor "${name}" has ${dims} dimensions`);
    }
    const shape: bigint[] = [];
    for (let d = 0; d < dims; d++) {
      shape.push(reader.wide ? await reader.u64() : BigInt(await reader.u32()));
    }
    const type = await reader.u32();
    const offset = await reader.u64();
    const bytes = tensorBytes(context, name, shape, type);
    if (bytes === undefined) {
      sizesKnown = false;
      continue;
    }
    if (offset % BigInt(alignment) !== 0n) {
      fail(
        context,
        'tensor-alignment',
        `tensor "${name}" at ${offset} is not aligned to ${alignment}`,
      );
    } else if (sizesKnown && offset !== expected) {
      fail(
        context,
        'tensor-offset',
        `tensor "${name}" is at ${offset} where llama.cpp expects ${expected}`,
      );
    }
    expected += pad(bytes, BigInt(alignment));
    if (offset + bytes > end) end = offset + bytes;
  }
  const dataStart = pad(BigInt(reader.cursor.position), BigInt(alignment));
  if (count > 0 && dataStart + end > BigInt(size)) {
    fail(
      context,
      'tensor-bounds',
      `tensor data runs to byte ${dataStart + end}, past the end of the file`,
    );
  }
}

// The tensor's size in bytes, or undefined (after reporting) when it cannot be known.
function tensorBytes(
  context: ScanContext,
  name: string,
  shape: bigint[],
  type: number,
): bigint | undefined {
  const layout = GGML_TYPES.get(type);
  if (layout === undefined) {
    context.problem(
      'gguf-unknown-tensor-type',
      `tensor "${name}" has ggml type ${type}, which Rampart does not know`,
    );
    return undefined;
  }
  const int64Max = (1n << 63n) - 1n;
  let elements = 1n;
  for (const dim of shape) {
    elements *= dim;
    if (dim > int64Max || elements > int64Max) {
      fail(context, 'tensor-shape', `tensor "${name}" has an impossible shape ${shape.join('×')}`);
      return undefined;
    }
  }
  const [block, blockBytes] = layout;
  if ((shape[0] ?? 1n) % BigInt(block) !== 0n) {
    fail(
      context,
      'tensor-shape',
      `tensor "${name}" rows are not a multiple of the ${block}-element block`,
    );
    return undefined;
  }
  return (elements / BigInt(block)) * BigInt(blockBytes);
}

function pad(value: bigint, alignment: bigint): bigint {
  return ((value + alignment - 1n) / alignment) * alignment;
}

// Each failed check is reported once per file: 10 000 misplaced tensors are one finding.
const reported = new WeakMap<ScanContext, Set<string>>();

function fail(context: ScanContext, check: string, message: string): void {
  const seen = reported.get(context) ?? new Set<string>();
  reported.set(context, seen);
  if (seen.has(check)) return;
  seen.add(check);
  context.finding({ rule: 'RS302', check: `gguf.${check}`, message });
}
