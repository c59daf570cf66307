import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelMetadata } from './types.js';
import { validateInferRequest, validateInferResponse } from './validate.js';

const META: ModelMetadata = {
  name: 'm',
  platform: 'onnxruntime_onnx',
  inputs: [
    { name: 'features', datatype: 'FP32', shape: [-1, 3] },
    { name: 'ids', datatype: 'INT8', shape: [-1] },
    { name: 'flags', datatype: 'BOOL', shape: [2] },
  ],
  outputs: [
    { name: 'score', datatype: 'FP32', shape: [-1, 1] },
    { name: 'label', datatype: 'BYTES', shape: [-1] },
  ],
};
const LIMITS = { maxElements: 1000 };

function request(overrides: Record<string, Record<string, unknown>> = {}, extra = {}): unknown {
  return {
    inputs: [
      {
        name: 'features',
        datatype: 'FP32',
        shape: [2, 3],
        data: [
          [1, 2, 3],
          [4, 5, 6],
        ],
        ...overrides.features,
      },
      { name: 'ids', datatype: 'INT8', shape: [2], data: [1, -2], ...overrides.ids },
      { name: 'flags', datatype: 'BOOL', shape: [2], data: [true, false], ...overrides.flags },
    ],
    ...extra,
  };
}

const error = (body: unknown): string => {
  const result = validateInferRequest(body, META, LIMITS);
  if (result.ok) assert.fail('the request was accepted');
  return result.error;
};

describe('validateInferRequest', () => {
  it('accepts a valid request, flattens nested data and counts elements', () => {
    const result = validateInferRequest(
      request({}, { id: 'r1', outputs: [{ name: 'score' }] }),
      META,
      LIMITS,
    );
    assert.ok(result.ok);
    assert.equal(result.elements, 10);
    assert.deepEqual(result.value.inputs[0]?.data, [1, 2, 3, 4, 5, 6]);
    assert.equal(result.value.id, 'r1');
  });

  it('checks names, presence, repetition and unknown fields', () => {
    assert.match(error(request({ ids: { name: 'nope' } })), /no input "nope"/);
    assert.match(
      error({ inputs: (request() as { inputs: unknown[] }).inputs.slice(0, 2) }),
      /required input "flags"/,
    );
    const twice = (request() as { inputs: unknown[] }).inputs;
    assert.match(error({ inputs: [twice[0], twice[0], twice[1]] }), /appears more than once/);
    assert.match(error(request({}, { extra: 1 })), /unknown field "extra"/);
    assert.match(error(request({ ids: { bogus: 1 } })), /unknown field "bogus"/);
    assert.match(error(request({}, { outputs: [{ name: 'nope' }] })), /no output "nope"/);
    assert.match(error('nope'), /JSON object/);
  });

  it('checks datatypes, shapes with wildcards, and element counts', () => {
    assert.match(
      error(request({ ids: { datatype: 'INT16' } })),
      /expected datatype INT8, got INT16/,
    );
    assert.match(error(request({ features: { shape: [2, 4] } })), /dimension 1 must be 3/);
    assert.match(
      error(request({ flags: { shape: [3], data: [true, true, true] } })),
      /dimension 0 must be 2/,
    );
    assert.match(error(request({ ids: { shape: [2, 1] } })), /expected rank 1/);
    assert.match(error(request({ ids: { shape: [3] } })), /needs 3 elements, got 2/);
    assert.match(
      error(
        request({
          features: {
            data: [
              [1, 2],
              [3, 4, 5, 6],
            ],
          },
        }),
      ),
      /does not match the shape/,
    );
    assert.match(error(request({ ids: { shape: [1e9], data: [] } })), /exceeds the element limit/);
    assert.match(error(request({ ids: { shape: [-1] } })), /non-negative integers/);
  });

  it('checks element values against the datatype', () => {
    assert.match(error(request({ ids: { data: [1, 128] } })), /out of range for INT8/);
    assert.match(error(request({ ids: { data: [1, 1.5] } })), /not an integer/);
    assert.match(
      error(request({ features: { data: [1, 2, 3, 4, 5, '6'] } })),
      /not a finite number/,
    );
    assert.match(
      error(request({ features: { data: [1, 2, 3, 4, 5, 1e39] } })),
      /out of range for FP32/,
    );
    assert.match(error(request({ flags: { data: [1, 0] } })), /not a boolean/);
  });

  it('allows only short scalar parameters', () => {
    assert.equal(
      validateInferRequest(request({}, { parameters: { a: 1, b: 'x' } }), META, LIMITS).ok,
      true,
    );
    assert.match(error(request({}, { parameters: { a: { nested: true } } })), /parameters/);
  });
});

describe('validateInferResponse', () => {
  const response = (outputs: unknown[]): unknown => ({ model_name: 'm', outputs });
  it('accepts declared outputs of the right datatype and shape', () => {
    const result = validateInferResponse(
      response([{ name: 'score', datatype: 'FP32', shape: [2, 1], data: [0.1, 0.9] }]),
      META,
      LIMITS,
    );
    assert.ok(result.ok);
  });

  it('refuses undeclared outputs, wrong shapes and non-OIP bodies', () => {
    const bad = [
      response([{ name: 'other', datatype: 'FP32', shape: [1, 1], data: [1] }]),
      response([{ name: 'score', datatype: 'FP32', shape: [1, 2], data: [1, 2] }]),
      response([{ name: 'label', datatype: 'BYTES', shape: [1], data: [3] }]),
      { outputs: [] },
      [1, 2],
    ];
    for (const body of bad) assert.equal(validateInferResponse(body, META, LIMITS).ok, false);
  });
});
