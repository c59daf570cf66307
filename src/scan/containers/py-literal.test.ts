import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LiteralError, parsePyLiteral, type PyValue } from './py-literal.js';

const str = (value: string): PyValue => ({ kind: 'str', value });
const int = (value: bigint): PyValue => ({ kind: 'int', value });

describe('parsePyLiteral', () => {
  it('parses a NumPy header', () => {
    assert.deepEqual(
      parsePyLiteral("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }          \n"),
      {
        kind: 'dict',
        entries: [
          [str('descr'), str('<f8')],
          [str('fortran_order'), { kind: 'bool', value: false }],
          [str('shape'), { kind: 'tuple', items: [int(3n), int(4n)] }],
        ],
      },
    );
  });

  it('distinguishes (x) from (x,) and accepts empty containers', () => {
    assert.deepEqual(parsePyLiteral('(5)'), int(5n));
    assert.deepEqual(parsePyLiteral('(5,)'), { kind: 'tuple', items: [int(5n)] });
    assert.deepEqual(parsePyLiteral('()'), { kind: 'tuple', items: [] });
    assert.deepEqual(parsePyLiteral('[]'), { kind: 'list', items: [] });
    assert.deepEqual(parsePyLiteral('{}'), { kind: 'dict', entries: [] });
  });

  it('reads integers the way Python does', () => {
    assert.deepEqual(parsePyLiteral('0x1F'), int(31n));
    assert.deepEqual(parsePyLiteral('0o17'), int(15n));
    assert.deepEqual(parsePyLiteral('0b101'), int(5n));
    assert.deepEqual(parsePyLiteral('1_000'), int(1000n));
    assert.deepEqual(parsePyLiteral('- 7'), int(-7n));
    assert.deepEqual(parsePyLiteral('00'), int(0n));
    assert.deepEqual(parsePyLiteral('3L', true), int(3n));
    for (const bad of ['3L', '01', '1.5', '1e3', '2j', '--1', '1__0'])
      assert.throws(() => parsePyLiteral(bad), LiteralError, bad);
  });

  it('reads strings with prefixes, escapes and implicit concatenation', () => {
    assert.deepEqual(parsePyLiteral(`'a' "b" '''c'''`), str('abc'));
    assert.deepEqual(parsePyLiteral(String.raw`'\x4f\117\u004F\n'`), str('OOO\n'));
    assert.deepEqual(parsePyLiteral(String.raw`r'\x4f'`), str(String.raw`\x4f`));
    assert.deepEqual(parsePyLiteral(String.raw`u'\q'`), str(String.raw`\q`));
    assert.deepEqual(parsePyLiteral("b'<f8'"), { kind: 'bytes' });
    for (const bad of [`'open`, `b'a' 'b'`, `f'x'`, String.raw`'\N{DIGIT ONE}'`, `'a\nb'`])
      assert.throws(() => parsePyLiteral(bad), LiteralError, bad);
  });

  it('skips comments and line continuations', () => {
    assert.deepEqual(parsePyLiteral('[1, # one\n 2 \\\n]'), {
      kind: 'list',
      items: [int(1n), int(2n)],
    });
  });

  it('rejects everything that is not a plain literal', () => {
    for (const bad of [
      '{1, 2}',
      'os.system',
      '__import__("os")',
      '[1 2]',
      '(,)',
      '{"a" 1}',
      'True False',
    ]) {
      assert.throws(() => parsePyLiteral(bad), LiteralError, bad);
    }
  });

  it('refuses deep nesting instead of overflowing the stack', () => {
    assert.throws(() => parsePyLiteral('['.repeat(100_000)), LiteralError);
  });

  it('never throws anything but LiteralError', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(...`{}[](),:'"\\#\n rbuLx0123OTrueFalseNone_-+.`.split('')),
          maxLength: 60,
        }),
        (text) => {
          try {
            parsePyLiteral(text, true);
          } catch (error) {
            if (!(error instanceof LiteralError)) throw error;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
