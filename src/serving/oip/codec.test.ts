import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { isRampartError } from '../../core/index.js';
import { elementCount, flattenData, fromOrtTensor, toOrtTensor } from './codec.js';
import type { Datatype } from './types.js';

type Element = number | boolean | string;

const intIn = (min: number, max: number): fc.Arbitrary<Element> => fc.integer({ min, max });
const ELEMENT: Readonly<Partial<Record<Datatype, fc.Arbitrary<Element>>>> = {
  BOOL: fc.boolean(),
  UINT8: intIn(0, 255),
  UINT16: intIn(0, 0xffff),
  UINT32: fc.nat({ max: 0xffff_ffff }),
  UINT64: fc.maxSafeNat(),
  INT8: intIn(-128, 127),
  INT16: intIn(-0x8000, 0x7fff),
  INT32: fc.integer(),
  INT64: fc.maxSafeInteger(),
  FP32: fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  FP64: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  BYTES: fc.string({ maxLength: 8 }),
};
const SUPPORTED = Object.keys(ELEMENT) as Datatype[];

/** A datatype, a shape and flat data of the right length for both. */
const tensorArb = fc
  .tuple(fc.constantFrom(...SUPPORTED), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }))
  .chain(([datatype, shape]) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const element = ELEMENT[datatype] ?? fc.constant(0);
    return fc
      .array(element, { minLength: count, maxLength: count })
      .map((data) => ({ name: 't', datatype, shape, data }));
  });

/** Turns flat row-major data into nested arrays of the given shape. */
function nest(data: readonly Element[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return [...data];
  const [, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const rows = shape[0] ?? 0;
  return Array.from({ length: rows }, (_, i) => nest(data.slice(i * size, (i + 1) * size), rest));
}

function refusedWith(code: string) {
  return (error: unknown) => isRampartError(error) && error.code === code;
}

describe('OIP tensor codec', () => {
  it('round-trips every supported datatype through an onnxruntime tensor', () => {
    fc.assert(
      fc.property(tensorArb, (tensor) => {
        const back = fromOrtTensor('t', toOrtTensor(tensor));
        assert.equal(back.datatype, tensor.datatype);
        assert.deepEqual(back.shape, tensor.shape);
        assert.deepEqual(back.data, tensor.data);
      }),
    );
  });

  it('reads nested data in its natural shape exactly like flat data', () => {
    fc.assert(
      fc.property(tensorArb, (tensor) => {
        const nested = toOrtTensor({ ...tensor, data: nest(tensor.data, tensor.shape) });
        assert.deepEqual(fromOrtTensor('t', nested), fromOrtTensor('t', toOrtTensor(tensor)));
      }),
    );
  });

  it('refuses data whose length is not the product of the shape', () => {
    fc.assert(
      fc.property(tensorArb, fc.integer({ min: 1, max: 3 }), (tensor, extra) => {
        const data = [...tensor.data, ...(Array(extra).fill(tensor.data[0] ?? 0) as Element[])];
        assert.throws(
          () => toOrtTensor({ ...tensor, data }),
          refusedWith('RAMPART_TENSOR_INVALID'),
        );
      }),
    );
  });

  it('refuses elements of the wrong type or out of range', () => {
    const cases: [Datatype, unknown][] = [
      ['FP32', '1.5'],
      ['FP32', 1e39],
      ['FP64', null],
      ['INT8', 128],
      ['UINT8', -1],
      ['INT32', 1.5],
      ['INT64', Number.MAX_SAFE_INTEGER + 1],
      ['UINT64', 2 ** 60],
      ['BOOL', 1],
      ['BYTES', 7],
    ];
    for (const [datatype, value] of cases) {
      assert.throws(
        () => toOrtTensor({ name: 'x', datatype, shape: [1], data: [value] }),
        refusedWith('RAMPART_TENSOR_INVALID'),
        `${datatype} ${String(value)}`,
      );
    }
  });

  it('refuses FP16, bad shapes, deep nesting and oversized tensors', () => {
    const bad: { shape: unknown[]; data: unknown; datatype?: Datatype }[] = [
      { datatype: 'FP16', shape: [1], data: [1] },
      { shape: [-1], data: [] },
      { shape: [1.5], data: [1] },
      { shape: ['2'], data: [1, 2] },
      { shape: [1, 1, 1, 1, 1, 1, 1, 1, 1], data: [1] },
      { shape: [2 ** 20, 2], data: [] },
      { shape: [1], data: 1 },
      { shape: [1], data: [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]] },
    ];
    for (const { shape, data, datatype } of bad) {
      assert.throws(
        () => toOrtTensor({ name: 'x', datatype: datatype ?? 'FP32', shape, data }),
        refusedWith('RAMPART_TENSOR_INVALID'),
        JSON.stringify(shape),
      );
    }
  });

  it('bounds flattening by element count even when the shape is not checked first', () => {
    const limits = { maxDepth: 4, maxElements: 10, maxRank: 4 };
    assert.throws(
      () => flattenData('x', [Array(6).fill(0), Array(6).fill(0)], limits),
      refusedWith('RAMPART_TENSOR_INVALID'),
    );
    assert.deepEqual(flattenData('x', [[1, 2], [3], [], [[4]]], limits), [1, 2, 3, 4]);
    assert.equal(elementCount('x', [0, 2 ** 40], limits), 0);
  });

  it('turns 64-bit outputs into numbers only when they are exact', () => {
    const safe = new OrtTensor('int64', BigInt64Array.from([-3n, 9007199254740991n]), [2]);
    assert.deepEqual(fromOrtTensor('label', safe).data, [-3, 9007199254740991]);
    const big = new OrtTensor('int64', BigInt64Array.from([9007199254740992n]), [1]);
    assert.throws(() => fromOrtTensor('label', big), refusedWith('RAMPART_TENSOR_UNREPRESENTABLE'));
    const low = new OrtTensor('int64', BigInt64Array.from([-9007199254740991n]), [1]);
    assert.deepEqual(fromOrtTensor('label', low).data, [-9007199254740991]);
    for (const beyond of [-9007199254740992n, 9007199254740993n, -(2n ** 63n)]) {
      const t = new OrtTensor('int64', BigInt64Array.from([beyond]), [1]);
      assert.throws(() => fromOrtTensor('label', t), refusedWith('RAMPART_TENSOR_UNREPRESENTABLE'));
    }
    const huge = new OrtTensor('uint64', BigUint64Array.from([2n ** 63n]), [1]);
    assert.throws(() => fromOrtTensor('u', huge), refusedWith('RAMPART_TENSOR_UNREPRESENTABLE'));
  });

  it('refuses NaN, infinite and FP16 outputs', () => {
    const nan = new OrtTensor('float32', Float32Array.from([1, Number.NaN]), [2]);
    assert.throws(() => fromOrtTensor('p', nan), refusedWith('RAMPART_TENSOR_UNREPRESENTABLE'));
    const inf = new OrtTensor('float64', Float64Array.from([Infinity]), [1]);
    assert.throws(() => fromOrtTensor('p', inf), refusedWith('RAMPART_TENSOR_UNREPRESENTABLE'));
    const half = new OrtTensor('float16', Uint16Array.from([0]), [1]);
    assert.throws(() => fromOrtTensor('p', half), refusedWith('RAMPART_TENSOR_UNREPRESENTABLE'));
  });
});
