/**
 * OIP v2 request and response validation against a model's metadata (serving.md §1.4). Every
 * refusal is data (`{ok: false, error}`) with a message precise enough for the caller to fix
 * the request; nothing here throws. Element counts are strict: product(shape) must equal the
 * number of data elements (the spec's own BOOL example would be refused, on purpose).
 */
import type {
  Datatype,
  InferRequest,
  InferResponse,
  ModelMetadata,
  Tensor,
  TensorMetadata,
} from './types.js';

/** Bounds that do not come from the metadata. */
export interface ValidationLimits {
  /** Most tensor elements in one request or response (all tensors together). */
  readonly maxElements: number;
  /** Longest BYTES element, in UTF-16 code units. */
  readonly maxStringLength?: number;
}

/** A validated body (with every tensor's data flattened) and its element count, or why not. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T; readonly elements: number }
  | { readonly ok: false; readonly error: string };

const MAX_STRING_LENGTH = 64 * 1024;
const MAX_ID_LENGTH = 128;
const MAX_PARAMETERS = 32;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// JSON has no 64-bit integers: INT64/UINT64 values beyond 2^53 - 1 would be silently rounded.
const INTEGER_RANGE: Partial<Record<Datatype, readonly [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [-MAX_SAFE, MAX_SAFE],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, MAX_SAFE],
};

const FLOAT_MAX: Partial<Record<Datatype, number>> = {
  FP16: 65504,
  FP32: 3.4028234663852886e38,
  FP64: Number.MAX_VALUE,
};

const REQUEST_KEYS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const TENSOR_KEYS = new Set(['name', 'shape', 'datatype', 'data', 'parameters']);
const OUTPUT_REQUEST_KEYS = new Set(['name', 'parameters']);

type Check<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates an inference request body against `metadata`. */
export function validateInferRequest(
  body: unknown,
  metadata: ModelMetadata,
  limits: ValidationLimits,
): Validated<InferRequest> {
  if (!isObject(body)) return fail('the body must be a JSON object');
  const unknownKey = Object.keys(body).find((key) => !REQUEST_KEYS.has(key));
  if (unknownKey !== undefined) return fail(`unknown field ${quote(unknownKey)} in the request`);
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && (typeof id !== 'string' || id.length > MAX_ID_LENGTH)) {
    return fail(`"id" must be a string of at most ${MAX_ID_LENGTH} characters`);
  }
  const params = checkParameters(parameters, 'the request');
  if (params !== null) return fail(params);
  if (!Array.isArray(inputs) || inputs.length === 0) {
    return fail('"inputs" must be a non-empty array');
  }
  if (inputs.length > metadata.inputs.length) {
    return fail(`the model takes ${metadata.inputs.length} input(s), got ${inputs.length}`);
  }
  const tensors = checkTensors(inputs, metadata.inputs, 'input', limits);
  if (!tensors.ok) return tensors;
  const missing = metadata.inputs.find((meta) => !tensors.value.some((t) => t.name === meta.name));
  if (missing !== undefined) return fail(`required input ${quote(missing.name)} is missing`);
  const requested = checkRequestedOutputs(outputs, metadata);
  if (!requested.ok) return requested;
  const value: InferRequest = {
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters: parameters as Record<string, unknown> }),
    inputs: tensors.value,
    ...(requested.value === undefined ? {} : { outputs: requested.value }),
  };
  return { ok: true, value, elements: countElements(tensors.value) };
}

/** Validates an upstream inference response against `metadata` (outputs it declares). */
export function validateInferResponse(
  body: unknown,
  metadata: ModelMetadata,
  limits: ValidationLimits,
): Validated<InferResponse> {
  if (!isObject(body)) return fail('the response is not a JSON object');
  const { model_name: modelName, model_version: version, id, parameters, outputs } = body;
  if (typeof modelName !== 'string') return fail('the response has no "model_name"');
  if (version !== undefined && typeof version !== 'string') {
    return fail('"model_version" is not a string');
  }
  if (id !== undefined && typeof id !== 'string') return fail('"id" is not a string');
  const params = checkParameters(parameters, 'the response');
  if (params !== null) return fail(params);
  if (!Array.isArray(outputs) || outputs.length === 0) {
    return fail('the response has no "outputs" array');
  }
  if (outputs.length > metadata.outputs.length) {
    return fail(`the model declares ${metadata.outputs.length} output(s), got ${outputs.length}`);
  }
  const tensors = checkTensors(outputs, metadata.outputs, 'output', limits);
  if (!tensors.ok) return tensors;
  const value: InferResponse = {
    model_name: modelName,
    ...(version === undefined ? {} : { model_version: version }),
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters: parameters as Record<string, unknown> }),
    outputs: tensors.value,
  };
  return { ok: true, value, elements: countElements(tensors.value) };
}

function checkTensors(
  items: readonly unknown[],
  declared: readonly TensorMetadata[],
  kind: 'input' | 'output',
  limits: ValidationLimits,
): Check<Tensor[]> {
  const seen = new Set<string>();
  const tensors: Tensor[] = [];
  let budget = limits.maxElements;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (!isObject(item)) return fail(`${kind} ${index} must be an object`);
    const name = item.name;
    if (typeof name !== 'string') return fail(`${kind} ${index} has no "name"`);
    const meta = declared.find((d) => d.name === name);
    if (meta === undefined) return fail(`the model has no ${kind} ${quote(name)}`);
    if (seen.has(name)) return fail(`${kind} ${quote(name)} appears more than once`);
    seen.add(name);
    const tensor = checkTensor(item, meta, `${kind} ${quote(name)}`, budget, limits);
    if (!tensor.ok) return tensor;
    budget -= tensor.value.data.length;
    tensors.push(tensor.value);
  }
  return { ok: true, value: tensors };
}

function checkTensor(
  item: Record<string, unknown>,
  meta: TensorMetadata,
  label: string,
  budget: number,
  limits: ValidationLimits,
): Check<Tensor> {
  const unknownKey = Object.keys(item).find((key) => !TENSOR_KEYS.has(key));
  if (unknownKey !== undefined) return fail(`${label}: unknown field ${quote(unknownKey)}`);
  if (item.datatype !== meta.datatype) {
    const got = typeof item.datatype === 'string' ? item.datatype.slice(0, 16) : 'none';
    return fail(`${label}: expected datatype ${meta.datatype}, got ${got}`);
  }
  const shape = checkShape(item.shape, meta, label);
  if (!shape.ok) return shape;
  const params = checkParameters(item.parameters, label);
  if (params !== null) return fail(params);
  let expected = 1;
  for (const dim of shape.value) {
    expected *= dim;
    if (expected > budget) {
      return fail(`${label}: shape [${shape.value.join(', ')}] exceeds the element limit`);
    }
  }
  const data: (number | boolean | string)[] = [];
  const flat = flatten(item.data, shape.value, 0, data, expected, label);
  if (flat !== null) return fail(flat);
  if (data.length !== expected) {
    return fail(
      `${label}: shape [${shape.value.join(', ')}] needs ${expected} elements, got ${data.length}`,
    );
  }
  const bad = checkElements(data, meta.datatype, limits.maxStringLength ?? MAX_STRING_LENGTH);
  if (bad !== null) return fail(`${label}: ${bad}`);
  const tensor: Tensor = {
    name: meta.name,
    shape: shape.value,
    datatype: meta.datatype,
    ...(item.parameters === undefined
      ? {}
      : { parameters: item.parameters as Record<string, unknown> }),
    data,
  };
  return { ok: true, value: tensor };
}

function checkShape(shape: unknown, meta: TensorMetadata, label: string): Check<number[]> {
  const want = (): string => `[${meta.shape.join(', ')}]`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    return fail(`${label}: "shape" must be an array of non-negative integers`);
  }
  const dims = shape as number[];
  if (dims.length !== meta.shape.length) {
    return fail(
      `${label}: expected rank ${meta.shape.length} (${want()}), got [${dims.join(', ')}]`,
    );
  }
  for (const [i, dim] of dims.entries()) {
    const declared = meta.shape[i];
    if (declared !== -1 && declared !== dim) {
      return fail(`${label}: dimension ${i} must be ${declared} (${want()}), got ${dim}`);
    }
  }
  return { ok: true, value: dims };
}

// Accepts flat row-major data or data nested exactly as the shape says; anything in between
// (ragged rows, wrong row lengths) is refused rather than guessed at.
function flatten(
  data: unknown,
  shape: readonly number[],
  level: number,
  out: (number | boolean | string)[],
  max: number,
  label: string,
): string | null {
  if (!Array.isArray(data)) return `${label}: "data" must be an array`;
  const nested = data.length > 0 && Array.isArray(data[0]);
  if (nested && level === 0 && shape.length < 2) return `${label}: "data" is nested too deep`;
  if (nested || level > 0) {
    if (data.length !== shape[level]) {
      return `${label}: "data" does not match the shape at dimension ${level}`;
    }
  }
  for (const value of data) {
    if (Array.isArray(value)) {
      if (!nested || level + 1 >= shape.length) return `${label}: "data" is nested too deep`;
      const error = flatten(value, shape, level + 1, out, max, label);
      if (error !== null) return error;
    } else {
      if (nested) return `${label}: "data" mixes arrays and values`;
      if (out.length >= max) return `${label}: more data elements than the shape holds`;
      out.push(value as number | boolean | string);
    }
  }
  if (nested && level === 0 && out.length === 0) return `${label}: "data" is empty`;
  return null;
}

function checkElements(
  data: readonly unknown[],
  datatype: Datatype,
  maxString: number,
): string | null {
  const range = INTEGER_RANGE[datatype];
  const floatMax = FLOAT_MAX[datatype];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (datatype === 'BOOL') {
      if (typeof v !== 'boolean') return `element ${i} is not a boolean`;
    } else if (datatype === 'BYTES') {
      if (typeof v !== 'string') return `element ${i} is not a string`;
      if (v.length > maxString) return `element ${i} is longer than ${maxString} characters`;
    } else if (range !== undefined) {
      if (!Number.isInteger(v)) return `element ${i} is not an integer`;
      if ((v as number) < range[0] || (v as number) > range[1]) {
        return `element ${i} is out of range for ${datatype} [${range[0]}, ${range[1]}]`;
      }
    } else if (floatMax !== undefined) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        return `element ${i} is not a finite number`;
      if (Math.abs(v) > floatMax) return `element ${i} is out of range for ${datatype}`;
    }
  }
  return null;
}

function checkRequestedOutputs(
  outputs: unknown,
  metadata: ModelMetadata,
): Check<{ name: string; parameters?: Record<string, unknown> }[] | undefined> {
  if (outputs === undefined) return { ok: true, value: undefined };
  if (!Array.isArray(outputs) || outputs.length > metadata.outputs.length) {
    return fail(`"outputs" must be an array of at most ${metadata.outputs.length} item(s)`);
  }
  const seen = new Set<string>();
  for (const [index, item] of outputs.entries()) {
    if (!isObject(item) || typeof item.name !== 'string') {
      return fail(`requested output ${index} must be an object with a "name"`);
    }
    const unknownKey = Object.keys(item).find((key) => !OUTPUT_REQUEST_KEYS.has(key));
    if (unknownKey !== undefined)
      return fail(`requested output: unknown field ${quote(unknownKey)}`);
    const name = item.name;
    if (!metadata.outputs.some((o) => o.name === name)) {
      return fail(`the model has no output ${quote(name)}`);
    }
    if (seen.has(name)) return fail(`output ${quote(name)} is requested more than once`);
    seen.add(name);
    const params = checkParameters(item.parameters, `output ${quote(name)}`);
    if (params !== null) return fail(params);
  }
  return { ok: true, value: outputs as { name: string; parameters?: Record<string, unknown> }[] };
}

// Parameters are free-form in OIP; only a few scalars are let through (serving.md §1.2).
function checkParameters(parameters: unknown, where: string): string | null {
  if (parameters === undefined) return null;
  if (!isObject(parameters)) return `"parameters" of ${where} must be an object`;
  const entries = Object.entries(parameters);
  if (entries.length > MAX_PARAMETERS) {
    return `"parameters" of ${where} has more than ${MAX_PARAMETERS} entries`;
  }
  for (const [key, value] of entries) {
    const scalar =
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && value.length <= 1024);
    if (!scalar || key.length > 128) {
      return `"parameters" of ${where}: ${quote(key)} must be a short string, number or boolean`;
    }
  }
  return null;
}

function countElements(tensors: readonly Tensor[]): number {
  return tensors.reduce((sum, t) => sum + t.data.length, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

// Names echoed in errors are clipped and JSON-quoted so they cannot forge log or message text.
function quote(text: string): string {
  return JSON.stringify(text.slice(0, 64));
}
