/**
 * One OIP inference on a loaded model: the parsed body is checked against the model's metadata
 * (keys, names, datatypes, shapes, element types, requested outputs) before onnxruntime sees it.
 */
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { RampartError } from '../../core/index.js';
import { fromOrtTensor, toOrtTensor, type CodecLimits } from '../oip/codec.js';
import { DATATYPES, type Datatype, type InferResponse, type TensorMetadata } from '../oip/types.js';
import type { LoadedModel } from './models.js';

const REQUEST_KEYS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const INPUT_KEYS = new Set(['name', 'shape', 'datatype', 'data', 'parameters']);
const OUTPUT_KEYS = new Set(['name', 'parameters']);
const MAX_ID_LENGTH = 256;
const MAX_PARAMETERS = 64;

function bad(message: string): RampartError {
  return new RampartError('RAMPART_MODEL_SERVER_REQUEST_INVALID', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>, what: string) {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw bad(`${what}: unknown field '${key.slice(0, 64)}'`);
  }
}

function checkParameters(value: unknown, what: string): void {
  if (value === undefined) return;
  if (!isObject(value)) throw bad(`${what}: parameters is not an object`);
  const entries = Object.entries(value);
  if (entries.length > MAX_PARAMETERS) {
    throw bad(`${what}: more than ${MAX_PARAMETERS} parameters`);
  }
  for (const [key, parameter] of entries) {
    if (!['string', 'number', 'boolean'].includes(typeof parameter)) {
      throw bad(`${what}: parameter '${key.slice(0, 64)}' is not a string, number or boolean`);
    }
  }
}

function checkShape(
  name: string,
  shape: unknown,
  expected: TensorMetadata,
): asserts shape is unknown[] {
  if (!Array.isArray(shape)) throw bad(`input '${name}': shape is not an array`);
  const wanted = expected.shape;
  const fits =
    shape.length === wanted.length && wanted.every((dim, i) => dim === -1 || shape[i] === dim);
  if (!fits) {
    throw bad(
      `input '${name}': shape ${JSON.stringify(shape).slice(0, 100)} does not fit ${JSON.stringify(wanted)}`,
    );
  }
}

/** The inputs of a request as onnxruntime feeds, checked against the model's metadata. */
function decodeInputs(
  model: LoadedModel,
  inputs: unknown,
  limits: CodecLimits,
): Record<string, OrtTensor> {
  if (!Array.isArray(inputs) || inputs.length === 0) throw bad('inputs is not a non-empty array');
  if (inputs.length > model.inputs.length) {
    throw bad(`the model takes ${model.inputs.length} inputs, the request has ${inputs.length}`);
  }
  const feeds: Record<string, OrtTensor> = {};
  for (const input of inputs) {
    if (!isObject(input)) throw bad('an input is not an object');
    checkKeys(input, INPUT_KEYS, 'input');
    const { name, datatype, shape, data, parameters } = input;
    if (typeof name !== 'string') throw bad('an input has no name');
    const expected = model.inputs.find((meta) => meta.name === name);
    if (expected === undefined) throw bad(`the model has no input '${name.slice(0, 128)}'`);
    if (Object.hasOwn(feeds, name)) throw bad(`input '${name}' is given twice`);
    if (!DATATYPES.includes(datatype as Datatype) || datatype !== expected.datatype) {
      throw bad(
        `input '${name}': expected datatype ${expected.datatype}, got ${String(datatype).slice(0, 16)}`,
      );
    }
    checkShape(name, shape, expected);
    checkParameters(parameters, `input '${name}'`);
    feeds[name] = toOrtTensor({ name, datatype: expected.datatype, shape, data }, limits);
  }
  const missing = model.inputs.find((meta) => !Object.hasOwn(feeds, meta.name));
  if (missing !== undefined) throw bad(`input '${missing.name}' is missing`);
  return feeds;
}

/** The names of the outputs to return: the requested ones, or all in metadata order. */
function outputNames(model: LoadedModel, outputs: unknown): string[] {
  if (outputs === undefined) return model.outputs.map((meta) => meta.name);
  if (!Array.isArray(outputs) || outputs.length > model.outputs.length) {
    throw bad(`outputs is not an array of at most ${model.outputs.length} items`);
  }
  const names: string[] = [];
  for (const output of outputs) {
    if (!isObject(output)) throw bad('an output is not an object');
    checkKeys(output, OUTPUT_KEYS, 'output');
    const { name, parameters } = output;
    if (typeof name !== 'string' || !model.outputs.some((meta) => meta.name === name)) {
      throw bad(`the model has no output '${String(name).slice(0, 128)}'`);
    }
    if (names.includes(name)) throw bad(`output '${name}' is requested twice`);
    checkParameters(parameters, `output '${name}'`);
    names.push(name);
  }
  return names;
}

/**
 * Validates `body` against `model` and runs it.
 * @throws RAMPART_MODEL_SERVER_REQUEST_INVALID / RAMPART_TENSOR_INVALID for a bad request,
 *   RAMPART_MODEL_SERVER_INFERENCE_FAILED when onnxruntime fails, RAMPART_TENSOR_UNREPRESENTABLE
 *   when an output has no exact JSON form.
 */
export async function infer(
  model: LoadedModel,
  body: unknown,
  limits: CodecLimits,
): Promise<InferResponse> {
  if (!isObject(body)) throw bad('the body is not a JSON object');
  checkKeys(body, REQUEST_KEYS, 'request');
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && (typeof id !== 'string' || id.length > MAX_ID_LENGTH)) {
    throw bad(`id is not a string of at most ${MAX_ID_LENGTH} characters`);
  }
  checkParameters(parameters, 'request');
  const feeds = decodeInputs(model, inputs, limits);
  const fetches = outputNames(model, outputs);
  let results: Record<string, OrtTensor>;
  try {
    results = await model.session.run(feeds, fetches);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RampartError(
      'RAMPART_MODEL_SERVER_INFERENCE_FAILED',
      `${model.name}@${model.version}: onnxruntime failed (${reason.slice(0, 300)})`,
      { cause: error },
    );
  }
  const encoded = fetches.map((name) => {
    const tensor = results[name];
    if (tensor === undefined) {
      throw new RampartError('RAMPART_MODEL_SERVER_INFERENCE_FAILED', `no output '${name}'`);
    }
    return fromOrtTensor(name, tensor);
  });
  return {
    model_name: model.name,
    model_version: model.version,
    ...(id === undefined ? {} : { id }),
    outputs: encoded,
  };
}
