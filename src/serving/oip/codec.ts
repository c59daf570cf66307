/**
 * OIP JSON tensors ↔ onnxruntime-node tensors. Inputs are untrusted: every shape, element
 * count, element type and integer range is checked, and nested `data` is flattened with a
 * depth and size bound. Outputs that JSON numbers cannot carry exactly are refused.
 */
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { RampartError } from '../../core/index.js';
import type { Datatype, Tensor } from './types.js';

/** Bounds on one decoded tensor. */
export interface CodecLimits {
  /** Nesting depth of `data` arrays (1 = flat). */
  readonly maxDepth: number;
  /** Elements in one tensor. */
  readonly maxElements: number;
  /** Dimensions in one shape. */
  readonly maxRank: number;
}

/** Defaults: 1 Mi elements, rank 8, nesting 16. */
export const DEFAULT_CODEC_LIMITS: CodecLimits = Object.freeze({
  maxDepth: 16,
  maxElements: 1 << 20,
  maxRank: 8,
});

/** A tensor as it arrives in a request: `data` may still be nested. */
export interface TensorInput {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly unknown[];
  readonly data: unknown;
}

// FP16 has no standard JSON form (serving.md §1.2), so it is not mapped and is refused.
const ORT_TYPE: Readonly<Partial<Record<Datatype, OrtTensor.Type>>> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const DATATYPE: ReadonlyMap<string, Datatype> = new Map(
  Object.entries(ORT_TYPE).map(([datatype, type]) => [type, datatype as Datatype]),
);

// Integer ranges per datatype; 64-bit ones stop at what a JSON number carries exactly.
const INT_RANGE: Readonly<Partial<Record<Datatype, readonly [number, number]>>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffff_ffff],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x8000_0000, 0x7fff_ffff],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The onnxruntime type for an OIP datatype, or undefined when it has no JSON form (FP16). */
export function ortTypeOf(datatype: Datatype): OrtTensor.Type | undefined {
  return ORT_TYPE[datatype];
}

/** The OIP datatype for an onnxruntime type, or undefined when OIP JSON cannot carry it. */
export function datatypeOfOrt(type: string): Datatype | undefined {
  return DATATYPE.get(type);
}

function invalid(name: string, message: string): RampartError {
  return new RampartError('RAMPART_TENSOR_INVALID', `tensor '${name}': ${message}`, {
    details: { tensor: name },
  });
}

/** Checks a shape (non-negative safe integers, rank bound) and returns its element count. */
export function elementCount(
  name: string,
  shape: readonly unknown[],
  limits: CodecLimits = DEFAULT_CODEC_LIMITS,
): number {
  if (shape.length > limits.maxRank) {
    throw invalid(name, `rank ${shape.length} is over the limit of ${limits.maxRank}`);
  }
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw invalid(name, `shape ${JSON.stringify(shape)} has a dimension that is not a count`);
    }
    count *= dim;
    // Checked per step so a long shape cannot overflow past the bound unnoticed.
    if (count > limits.maxElements) {
      throw invalid(name, `shape ${JSON.stringify(shape)} is over ${limits.maxElements} elements`);
    }
  }
  return count;
}

/**
 * Flattens row-major `data` (flat or nested arrays) without recursion; refuses nesting deeper
 * than `maxDepth` and more than `maxElements` leaves.
 */
export function flattenData(
  name: string,
  data: unknown,
  limits: CodecLimits = DEFAULT_CODEC_LIMITS,
): unknown[] {
  if (!Array.isArray(data)) throw invalid(name, 'data is not an array');
  const out: unknown[] = [];
  const stack: { items: readonly unknown[]; next: number }[] = [{ items: data, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame === undefined || frame.next >= frame.items.length) {
      stack.pop();
      continue;
    }
    const item = frame.items[frame.next++];
    if (Array.isArray(item)) {
      if (stack.length >= limits.maxDepth) {
        throw invalid(name, `data is nested deeper than ${limits.maxDepth} levels`);
      }
      stack.push({ items: item, next: 0 });
    } else {
      if (out.length >= limits.maxElements) {
        throw invalid(name, `data has more than ${limits.maxElements} elements`);
      }
      out.push(item);
    }
  }
  return out;
}

function fillNumbers(
  name: string,
  datatype: Datatype,
  values: readonly unknown[],
  target: { length: number; [index: number]: number },
): void {
  const range = INT_RANGE[datatype];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalid(name, `element ${i} is not a finite number`);
    }
    if (range !== undefined && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
      throw invalid(name, `element ${i} (${value}) is not a ${datatype} integer`);
    }
    if (datatype === 'FP32' && !Number.isFinite(Math.fround(value))) {
      throw invalid(name, `element ${i} (${value}) overflows FP32`);
    }
    target[i] = value;
  }
}

function typedData(name: string, datatype: Datatype, values: readonly unknown[]): OrtTensor {
  const n = values.length;
  switch (datatype) {
    case 'BOOL': {
      const out = new Uint8Array(n);
      values.forEach((value, i) => {
        if (typeof value !== 'boolean') throw invalid(name, `element ${i} is not a boolean`);
        out[i] = value ? 1 : 0;
      });
      return new OrtTensor('bool', out);
    }
    case 'BYTES': {
      values.forEach((value, i) => {
        if (typeof value !== 'string') throw invalid(name, `element ${i} is not a string`);
      });
      return new OrtTensor('string', values as string[]);
    }
    case 'INT64':
    case 'UINT64': {
      const plain = new Float64Array(n);
      fillNumbers(name, datatype, values, plain);
      const out = datatype === 'INT64' ? new BigInt64Array(n) : new BigUint64Array(n);
      plain.forEach((value, i) => {
        out[i] = BigInt(value);
      });
      return datatype === 'INT64'
        ? new OrtTensor('int64', out as BigInt64Array)
        : new OrtTensor('uint64', out as BigUint64Array);
    }
    case 'UINT8':
      return numeric(name, datatype, values, new Uint8Array(n), 'uint8');
    case 'UINT16':
      return numeric(name, datatype, values, new Uint16Array(n), 'uint16');
    case 'UINT32':
      return numeric(name, datatype, values, new Uint32Array(n), 'uint32');
    case 'INT8':
      return numeric(name, datatype, values, new Int8Array(n), 'int8');
    case 'INT16':
      return numeric(name, datatype, values, new Int16Array(n), 'int16');
    case 'INT32':
      return numeric(name, datatype, values, new Int32Array(n), 'int32');
    case 'FP32':
      return numeric(name, datatype, values, new Float32Array(n), 'float32');
    case 'FP64':
      return numeric(name, datatype, values, new Float64Array(n), 'float64');
    case 'FP16':
      throw invalid(name, 'FP16 has no JSON representation; send FP32');
  }
}

function numeric<T extends OrtTensor.Type>(
  name: string,
  datatype: Datatype,
  values: readonly unknown[],
  out: OrtTensor.DataTypeMap[T] & { length: number; [index: number]: number },
  type: T,
): OrtTensor {
  fillNumbers(name, datatype, values, out);
  return new OrtTensor(type, out);
}

/**
 * Decodes one OIP input tensor into an onnxruntime tensor.
 * @throws RAMPART_TENSOR_INVALID on a bad shape, element count, element type or range.
 */
export function toOrtTensor(
  tensor: TensorInput,
  limits: CodecLimits = DEFAULT_CODEC_LIMITS,
): OrtTensor {
  const count = elementCount(tensor.name, tensor.shape, limits);
  const values = flattenData(tensor.name, tensor.data, limits);
  if (values.length !== count) {
    throw invalid(
      tensor.name,
      `shape ${JSON.stringify(tensor.shape)} needs ${count} elements, data has ${values.length}`,
    );
  }
  const flat = typedData(tensor.name, tensor.datatype, values);
  return flat.reshape(tensor.shape as readonly number[]);
}

function unrepresentable(name: string, message: string): RampartError {
  return new RampartError('RAMPART_TENSOR_UNREPRESENTABLE', `output '${name}': ${message}`, {
    details: { tensor: name },
  });
}

function jsonNumbers(name: string, data: ArrayLike<number>): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    if (!Number.isFinite(value)) throw unrepresentable(name, `element ${i} is ${String(value)}`);
    out[i] = value;
  }
  return out;
}

function jsonBigInts(name: string, data: BigInt64Array | BigUint64Array): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    // Rounding is monotonic and ±(2^53 − 1) is exact, so this refuses exactly what is beyond.
    const value = Number(data[i]);
    if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER) {
      throw unrepresentable(name, `element ${i} (${String(data[i])}) is beyond ±2^53-1`);
    }
    out[i] = value;
  }
  return out;
}

/**
 * Encodes one onnxruntime output tensor as OIP JSON.
 * @throws RAMPART_TENSOR_UNREPRESENTABLE for NaN/infinite floats, 64-bit integers beyond
 *   ±2^53-1 and types OIP JSON cannot carry.
 */
export function fromOrtTensor(name: string, tensor: OrtTensor): Tensor {
  const datatype = datatypeOfOrt(tensor.type);
  if (datatype === undefined) throw unrepresentable(name, `type ${tensor.type} has no OIP form`);
  const data = tensor.data;
  let values: (number | boolean | string)[];
  if (datatype === 'BOOL') values = Array.from(data as Uint8Array, (value) => value !== 0);
  else if (datatype === 'BYTES') values = [...(data as string[])];
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    values = jsonBigInts(name, data);
  } else values = jsonNumbers(name, data as ArrayLike<number>);
  return { name, datatype, shape: [...tensor.dims], data: values };
}
