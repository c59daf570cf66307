/**
 * A minimal ONNX writer for the demo classifier: protobuf encoding of exactly the ModelProto
 * fields the graph needs (onnx.proto3 field numbers), in field-number order like the reference
 * serialiser. Input `input` FP32 [batch, 4]; outputs `probabilities` FP32 [batch, classes] =
 * Softmax(MatMul + Add) and `label` INT64 [batch] = ArgMax(logits, axis 1, keepdims 0); opset 13.
 */

const VARINT = 0;
const BYTES = 2;
const FLOAT = 1; // TensorProto.DataType
const INT64 = 7;
const ATTRIBUTE_INT = 2; // AttributeProto.AttributeType

type Field = Uint8Array;

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: number): Field =>
  Uint8Array.from([...key(field, VARINT), ...varint(value)]);
const bytes = (field: number, value: Uint8Array): Field =>
  Uint8Array.from([...key(field, BYTES), ...varint(value.length), ...value]);
const text = (field: number, value: string) => bytes(field, new TextEncoder().encode(value));
const message = (field: number, ...parts: Field[]) => bytes(field, concat(parts));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function node(opType: string, inputs: string[], output: string, attributes: Field[] = []): Field {
  return message(
    1,
    ...inputs.map((name) => text(1, name)),
    text(2, output),
    text(3, opType.toLowerCase()),
    text(4, opType),
    ...attributes,
  );
}

const intAttribute = (name: string, value: number) =>
  message(5, text(1, name), int(3, value), int(20, ATTRIBUTE_INT));

function initializer(name: string, dims: readonly number[], values: Float32Array): Field {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    view.setFloat32(i * 4, v, true);
  });
  return message(5, ...dims.map((d) => int(1, d)), int(2, FLOAT), text(8, name), bytes(9, raw));
}

// ValueInfoProto { name, type { tensor_type { elem_type, shape { dim... } } } }
function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]) {
  const dim = (d: number | string) => message(1, typeof d === 'number' ? int(1, d) : text(2, d));
  return message(
    field,
    text(1, name),
    message(2, message(1, int(1, elemType), message(2, ...dims.map(dim)))),
  );
}

/** The demo classifier's weights: `weights[feature * classes + class]`, `bias[class]`. */
export interface LinearClassifier {
  readonly features: number;
  readonly classes: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/** Serialises the classifier as an ONNX model (IR 8, opset 13). */
export function classifierToOnnx(model: LinearClassifier, docString: string): Uint8Array {
  const graph = message(
    7,
    node('MatMul', ['input', 'weights'], 'scores'),
    node('Add', ['scores', 'bias'], 'logits'),
    node('Softmax', ['logits'], 'probabilities', [intAttribute('axis', -1)]),
    node('ArgMax', ['logits'], 'label', [intAttribute('axis', 1), intAttribute('keepdims', 0)]),
    text(2, 'iris_classifier'),
    initializer('weights', [model.features, model.classes], model.weights),
    initializer('bias', [model.classes], model.bias),
    valueInfo(11, 'input', FLOAT, ['batch', model.features]),
    valueInfo(12, 'probabilities', FLOAT, ['batch', model.classes]),
    valueInfo(12, 'label', INT64, ['batch']),
  );
  return concat([
    int(1, 8), // ir_version
    text(2, 'rampart-demo'),
    text(3, '1'),
    text(6, docString),
    graph,
    message(8, text(1, ''), int(2, 13)), // opset_import { domain "", version 13 }
  ]);
}
