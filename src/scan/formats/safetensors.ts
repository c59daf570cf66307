/**
 * safetensors: an 8-byte little-endian header length, a JSON header, then raw tensor data. Only
 * the header is read. The checks are the safetensors library's own, so a file that passes here
 * is read the same way by every loader, and no byte outside a tensor can hide a payload.
 */
import type { FormatScanner, ScanContext } from '../context.js';
import type { ByteSource } from '../source.js';

// Bits per element; sub-byte types must fill whole bytes.
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  I64: 64,
  U64: 64,
  F64: 64,
};

interface Tensor {
  readonly name: string;
  readonly begin: number;
  readonly end: number;
}

/**
 * True when the head looks like a safetensors header: a length below 2⁴⁸ (so no text), then
 * `{"` or `{}`. A length past the end of the file still sniffs, so the scanner can report it.
 */
export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 10 || size < 10) return false;
  const length = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  const next = head[9];
  return (
    length >= 2n &&
    length < 2n ** 48n &&
    head[8] === 0x7b &&
    (next === 0x22 || next === 0x7d || next === 0x20 || next === 0x0a)
  );
}

/** Checks a safetensors header against the data it describes (RS301). */
export const scanSafetensors: FormatScanner = async (source, context) => {
  const header = await readHeader(source, context);
  if (header === undefined) return;
  const fail = reporter(context);
  const tensors: Tensor[] = [];
  // A tensor without usable offsets leaves the layout unknown: its checks stop there.
  for (const [name, value] of Object.entries(header.json)) {
    if (name === '__metadata__') {
      if (!isStringMap(value)) fail('metadata', '__metadata__ is not a map of strings to strings');
      continue;
    }
    const tensor = checkTensor(name, value, fail);
    if (tensor === undefined) return;
    tensors.push(tensor);
  }
  checkLayout(tensors, source.size - 8 - header.length, fail);
};

async function readHeader(
  source: ByteSource,
  context: ScanContext,
): Promise<{ json: Record<string, unknown>; length: number } | undefined> {
  const fail = reporter(context);
  if (source.size < 8) {
    fail('header-length', 'the file is shorter than the 8-byte header length');
    return undefined;
  }
  const prefix = await source.read(0, 8);
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(source.size - 8)) {
    fail('header-length', `the header length ${declared} runs past the end of the file`);
    return undefined;
  }
  const length = Number(declared);
  if (length > context.limits.maxHeaderBytes) {
    fail('header-too-large', `the ${length}-byte header is over the scan limit`);
    return undefined;
  }
  const bytes = (await source.read(0, 8 + length)).subarray(8);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('header-utf8', 'the header is not valid UTF-8');
    return undefined;
  }
  if (!text.startsWith('{')) {
    fail('header-start', 'the header does not start with "{"');
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail('header-json', 'the header is not valid JSON');
    return undefined;
  }
  if (!isRecord(json)) {
    fail('header-json', 'the header is not a JSON object');
    return undefined;
  }
  return { json, length };
}

type Fail = (check: string, message: string) => void;

// One finding per failed check: a broken file with 10 000 tensors is one story, not 10 000.
function reporter(context: ScanContext): Fail {
  const seen = new Set<string>();
  return (check, message) => {
    if (seen.has(check)) return;
    seen.add(check);
    context.finding({ rule: 'RS301', check: `safetensors.${check}`, message });
  };
}

function checkTensor(name: string, value: unknown, fail: Fail): Tensor | undefined {
  if (!isRecord(value)) {
    fail('tensor', `tensor "${name}" is not an object`);
    return undefined;
  }
  const { dtype, shape, data_offsets: offsets } = value;
  const bits = typeof dtype === 'string' ? DTYPE_BITS[dtype] : undefined;
  if (bits === undefined) {
    fail('dtype', `tensor "${name}" has an unknown dtype ${JSON.stringify(dtype)}`);
  }
  const shapeValid = Array.isArray(shape) && shape.every(isCount);
  if (!shapeValid) {
    fail('shape', `tensor "${name}" has a shape that is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail('offsets-invalid', `tensor "${name}" has data_offsets that are not [begin, end]`);
    return undefined;
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    fail('offsets-invalid', `tensor "${name}" ends (${end}) before it begins (${begin})`);
    return undefined;
  }
  if (bits !== undefined && shapeValid) {
    const elementBits = shape.reduce((n: bigint, d: number) => n * BigInt(d), BigInt(bits));
    if (elementBits % 8n !== 0n || elementBits / 8n !== BigInt(end - begin)) {
      fail(
        'tensor-size',
        `tensor "${name}" (${String(dtype)} ${JSON.stringify(shape)}) needs ${elementBits / 8n} bytes but its offsets span ${end - begin}`,
      );
    }
  }
  return { name, begin, end };
}

// The library sorts tensors by offsets and requires them to tile the data exactly from 0.
function checkLayout(tensors: Tensor[], dataSize: number, fail: Fail): void {
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const tensor of tensors) {
    if (tensor.begin < expected) {
      fail('offsets-overlap', `tensor "${tensor.name}" overlaps the tensor before it`);
    } else if (tensor.begin > expected) {
      fail(
        'offsets-gap',
        `${tensor.begin - expected} bytes before tensor "${tensor.name}" belong to no tensor`,
      );
    }
    expected = Math.max(expected, tensor.end);
  }
  if (expected > dataSize) {
    fail(
      'offsets-bounds',
      `tensor data ends at ${expected}, past the ${dataSize} bytes after the header`,
    );
  } else if (expected < dataSize) {
    fail(
      'trailing-bytes',
      `${dataSize - expected} bytes after the last tensor belong to no tensor`,
    );
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): boolean {
  if (value === null) return true;
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}
