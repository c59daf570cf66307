/**
 * NumPy `.npy` files (and `.npz` members, which reach here through the zip scanner). The header
 * is a Python dict literal, parsed without evaluation. An object array's data is a pickle and
 * is handed to the pickle scanner; other arrays are checked against the size their header
 * promises, the way `numpy.load` reads them.
 */
import type { FormatScanner, ScanContext } from '../context.js';
import { SliceSource, type ByteSource } from '../source.js';
import { describeDtype, type Dtype } from './dtype.js';
import { parsePyLiteral, type PyValue } from './py-literal.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const KEYS = ['descr', 'fortran_order', 'shape'];

/** True when `head` starts with the `.npy` magic string. */
export function looksLikeNumpy(head: Uint8Array): boolean {
  return head.length >= 8 && MAGIC.every((b, i) => head[i] === b);
}

/** Scans an `.npy` file: the header, then the data as a pickle or as raw array bytes. */
export const scanNumpy: FormatScanner = async (source, context) => {
  const head = await source.read(0, 12);
  const major = head[6] ?? 0;
  if (head.length < 10 || head[7] !== 0 || major < 1 || major > 3) {
    context.problem(
      'numpy-bad-version',
      `unsupported .npy format version ${major}.${head[7] ?? 0}; numpy refuses to load it`,
    );
    return;
  }
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const headerStart = major === 1 ? 10 : 12;
  const headerLength =
    major === 1 ? view.getUint16(8, true) : head.length >= 12 ? view.getUint32(8, true) : Infinity;
  const dataStart = headerStart + headerLength;
  if (dataStart > source.size) {
    context.problem('numpy-truncated', 'the .npy header runs past the end of the data');
    return;
  }
  const data = new SliceSource(source, dataStart, source.size - dataStart);
  if (headerLength > context.limits.maxHeaderBytes) {
    context.problem(
      'numpy-header-too-large',
      `the .npy header is ${headerLength} bytes, over the limit`,
    );
    await context.scanNested('<array data>', data);
    return;
  }
  const bytes = await source.read(headerStart, headerLength);
  const text = major === 3 ? utf8(bytes) : Buffer.from(bytes).toString('latin1');
  await scanArray(text ?? '', major < 3, data, context);
};

async function scanArray(
  text: string,
  longSuffix: boolean,
  data: ByteSource,
  context: ScanContext,
): Promise<void> {
  let header: Map<string, PyValue>;
  let dtype: Dtype;
  try {
    header = headerDict(parsePyLiteral(text, longSuffix));
    dtype = describeDtype(header.get('descr'));
  } catch (error) {
    // numpy may still accept what this parser does not: scan the data for what it is.
    const detail = error instanceof Error ? error.message : String(error);
    context.problem('numpy-bad-header', `the .npy header could not be read (${detail})`);
    const mentionsObject = /O|object/.test(text);
    await context.scanNested('<array data>', data, mentionsObject ? 'pickle' : undefined);
    return;
  }
  if (dtype.object) {
    await context.scanNested('<object array>', data, 'pickle');
    return;
  }
  const shape = shapeOf(header.get('shape'));
  const fortran = header.get('fortran_order');
  if (shape === undefined || fortran?.kind !== 'bool') {
    context.problem(
      'numpy-bad-header',
      'the .npy header has an invalid shape or fortran_order; numpy refuses to load it',
    );
    return;
  }
  if (dtype.itemsize === undefined || !Number.isSafeInteger(dtype.itemsize)) return;
  const expected = shape.reduce((count, n) => count * n, 1n) * BigInt(dtype.itemsize);
  const actual = BigInt(data.size);
  if (actual < expected) {
    context.finding({
      rule: 'RS309',
      message: `the .npy header promises ${expected} bytes of array data but ${actual} follow`,
      check: 'numpy.data-size',
    });
  } else if (actual > expected) {
    // numpy reads only what the header promises; whatever follows is scanned on its own.
    const rest = Number(expected);
    await context.scanNested('<npy trailing data>', new SliceSource(data, rest, data.size - rest));
  }
}

// numpy requires a dict with exactly these keys; with repeated keys the last one counts.
function headerDict(value: PyValue): Map<string, PyValue> {
  if (value.kind !== 'dict') throw new Error('the header is not a dict');
  const entries = new Map<string, PyValue>();
  for (const [key, entry] of value.entries) {
    if (key.kind !== 'str') throw new Error('a header key is not a string');
    entries.set(key.value, entry);
  }
  const keys = [...entries.keys()].sort();
  if (keys.length !== KEYS.length || keys.some((k, i) => k !== KEYS[i])) {
    throw new Error(`the header keys are ${keys.join(', ')}`);
  }
  return entries;
}

function shapeOf(value: PyValue | undefined): bigint[] | undefined {
  if (value?.kind !== 'tuple') return undefined;
  const dims: bigint[] = [];
  for (const item of value.items) {
    const dim = item.kind === 'int' ? item.value : item.kind === 'bool' ? BigInt(item.value) : -1n;
    if (dim < 0n) return undefined;
    dims.push(dim);
  }
  return dims;
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
