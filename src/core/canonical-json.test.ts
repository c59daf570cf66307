import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalBytes, canonicalize } from './canonical-json.js';
import { isRampartError } from './errors.js';

// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
const NUMBERS: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

function fromBits(hex: string): number {
  return new DataView(Uint8Array.from(Buffer.from(hex, 'hex')).buffer).getFloat64(0);
}

function refusal(code: 'RAMPART_JSON_NOT_CANONICALIZABLE' | 'RAMPART_LIMIT_EXCEEDED') {
  return (e: unknown) => isRampartError(e, code);
}

describe('canonicalize', () => {
  it('writes the RFC 8785 §3.2.2 example exactly', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    assert.equal(
      canonicalize(JSON.parse(input)),
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts keys by UTF-16 code units as in RFC 8785 §3.2.3', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`) as Record<string, string>;
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const expected = order.map((key) => `${JSON.stringify(key)}:${JSON.stringify(input[key])}`);
    assert.equal(canonicalize(input), `{${expected.join(',')}}`);
  });

  it('writes every RFC 8785 Appendix B number as the RFC does', () => {
    for (const [bits, expected] of NUMBERS) {
      assert.equal(canonicalize(fromBits(bits)), expected, bits);
    }
  });

  it('escapes only what RFC 8785 requires, with lowercase hex', () => {
    assert.equal(
      canonicalize('\u0000\u001f\b\f\n\r\t"\\/<>&\u007f\u2028é😀'),
      '"\\u0000\\u001f\\b\\f\\n\\r\\t\\"\\\\/<>&\u007f\u2028é😀"',
    );
    assert.equal(
      canonicalBytes({ é: 1 }).toString('hex'),
      Buffer.from('{"é":1}', 'utf8').toString('hex'),
    );
  });

  it('refuses values that have no canonical form', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const refused: unknown[] = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      fromBits('fff0000000000000'),
      undefined,
      { a: undefined },
      [1, undefined],
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      () => 1,
      Symbol('s'),
      10n,
      cycle,
      [cycle],
      new Date(0),
      new Map(),
      new (class Point {
        x = 1;
      })(),
      Object.assign(Object.create({ inherited: true }) as object, { a: 1 }),
      { [Symbol('k')]: 1 },
      '\ud800',
      'a\udc00b',
      { '\ud83d': 1 },
    ];
    for (const value of refused) {
      assert.throws(() => canonicalize(value), refusal('RAMPART_JSON_NOT_CANONICALIZABLE'));
    }
  });

  it('accepts objects without a prototype and repeated (non-cyclic) references', () => {
    const shared = { b: 1 };
    const bare = Object.assign(Object.create(null) as object, { z: shared, a: shared });
    assert.equal(canonicalize(bare), '{"a":{"b":1},"z":{"b":1}}');
  });

  it('refuses nesting deeper than the limit', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200; i++) deep = [deep];
    assert.throws(() => canonicalize(deep), refusal('RAMPART_LIMIT_EXCEEDED'));
    assert.equal(canonicalize([[[1]]], { maxDepth: 3 }), '[[[1]]]');
    assert.throws(() => canonicalize([[[1]]], { maxDepth: 2 }), refusal('RAMPART_LIMIT_EXCEEDED'));
  });

  it('round-trips through JSON.parse to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), (value) => {
        // JSON itself has no -0: both serialisations write it as 0, so compare with JSON.stringify's.
        assert.deepEqual(JSON.parse(canonicalize(value)), JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('is a fixed point: canonicalizing parsed canonical JSON changes nothing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), (value) => {
        const once = canonicalize(value);
        assert.equal(canonicalize(JSON.parse(once)), once);
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        assert.equal(canonicalize(reversed), canonicalize(record));
      }),
    );
  });

  it('either refuses or round-trips arbitrary UTF-16 strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          assert.equal(JSON.parse(canonicalize(text)), text);
        } catch (error) {
          assert.ok(isRampartError(error, 'RAMPART_JSON_NOT_CANONICALIZABLE'));
          assert.match(text, /[\uD800-\uDFFF]/u);
        }
      }),
    );
  });
});
