// Fuzz target for the gateway's OIP request path: a JSON body either gets a clear refusal or a
// validated request that validates again to the same value (a fixed point) and that the tensor
// codec turns into onnxruntime tensors of exactly the declared element counts.
import {
  parseJsonLimited,
  toOrtTensor,
  validateInferRequest,
  type ModelMetadata,
} from '../../src/serving/index.js';
import { refusedWith, JSON_MUTATORS, type TargetFactory, type Verdict } from './target.js';

const METADATA: ModelMetadata = {
  name: 'fuzz',
  platform: 'onnxruntime',
  inputs: [
    { name: 'input', datatype: 'FP32', shape: [-1, 4] },
    { name: 'ids', datatype: 'INT64', shape: [-1] },
    { name: 'mask', datatype: 'BOOL', shape: [2] },
    { name: 'small', datatype: 'INT8', shape: [-1, -1] },
    { name: 'text', datatype: 'BYTES', shape: [1] },
  ],
  outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }],
};

const LIMITS = { maxElements: 4096, maxStringLength: 1024 };

const SEEDS = [
  { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] },
  {
    id: 'r1',
    inputs: [
      {
        name: 'input',
        datatype: 'FP32',
        shape: [2, 4],
        data: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      },
      { name: 'ids', datatype: 'INT64', shape: [3], data: [1, -2, 9007199254740991] },
      { name: 'mask', datatype: 'BOOL', shape: [2], data: [true, false] },
      { name: 'small', datatype: 'INT8', shape: [1, 2], data: [-128, 127] },
      { name: 'text', datatype: 'BYTES', shape: [1], data: ['héllo'] },
    ],
    outputs: [{ name: 'label' }],
  },
];

function checkOip(input: Buffer): Verdict {
  const json = parseJsonLimited(input, 32);
  if (!json.ok) return 'rejected';
  const first = validateInferRequest(json.value, METADATA, LIMITS);
  if (!first.ok) return typeof first.error === 'string' ? 'rejected' : { failure: 'no error text' };
  // What the gateway forwards is the JSON text of the validated request: it must validate again
  // to the same text (JSON has no -0, so values are compared in their wire form).
  const wire = JSON.stringify(first.value);
  const again = validateInferRequest(JSON.parse(wire), METADATA, LIMITS);
  if (!again.ok || JSON.stringify(again.value) !== wire) {
    return { failure: 'a validated request does not validate again to itself' };
  }
  for (const tensor of first.value.inputs) {
    try {
      const encoded = toOrtTensor(tensor);
      const expected = tensor.shape.reduce((a, b) => a * b, 1);
      if (encoded.size !== expected)
        return { failure: `${tensor.name}: ${encoded.size} elements, shape says ${expected}` };
    } catch (error) {
      // The codec is stricter than the gateway on a few values (e.g. unsafe INT64); it refuses cleanly.
      const verdict = refusedWith(error, ['RAMPART_TENSOR_INVALID']);
      if (verdict !== 'rejected') return verdict;
    }
  }
  return 'accepted';
}

/** The gateway's OIP request validation and the tensor codec behind it. */
export const oip: TargetFactory = () =>
  Promise.resolve({
    corpus: SEEDS.map((seed) => Buffer.from(JSON.stringify(seed))),
    mutators: JSON_MUTATORS,
    maxInput: 64 * 1024,
    check: checkOip,
  });
