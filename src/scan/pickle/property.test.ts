/**
 * Property tests: random and mutated pickles never make the scanner throw or hang, reports stay
 * bounded, and a non-seekable stream in tiny chunks sees exactly what a seekable read sees.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { looksLikePickle } from './index.js';
import * as op from './opcodes.js';
import { scanBytes, StreamSource } from './testing-context.js';
import { pickle } from './testing-writer.js';

const SEEDS: Uint8Array[] = [
  pickle().raw("cos\nsystem\n(S'ls'\ntR.").bytes(),
  pickle().proto(4).frame(30).call('os', 'system', 'id').pop().str('x').stop().bytes(),
  pickle()
    .proto(2)
    .global('collections', 'OrderedDict')
    .op(op.EMPTY_TUPLE)
    .reduce()
    .put(0)
    .mark()
    .str('w')
    .mark()
    .str('storage')
    .op(op.BINPERSID)
    .op(op.TUPLE)
    .op(op.SETITEMS)
    .stop()
    .bytes(),
  pickle()
    .proto(4)
    .stackGlobal('joblib.numpy_pickle', 'NumpyArrayWrapper')
    .op(op.EMPTY_TUPLE)
    .newobj()
    .op(op.EMPTY_DICT)
    .str('shape')
    .tuple(2)
    .op(op.SETITEM)
    .str('dtype')
    .stackGlobal('numpy', 'dtype')
    .tuple('f8', false, true)
    .reduce()
    .op(op.SETITEM)
    .build()
    .raw(new Uint8Array(16))
    .stop()
    .bytes(),
  pickle()
    .proto(4)
    .call('pickle', 'loads', pickle().proto(4).call('os', 'system', 'in').stop().bytes())
    .stop()
    .bytes(),
];

/** Byte-level mutations of a seed: flips, inserts, deletes, truncation, duplication. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('set', 'insert', 'delete'),
      ),
      { maxLength: 6 },
    ),
    fc.option(fc.nat()),
  )
  .map(([seed, edits, cut]) => {
    const bytes = [...seed];
    for (const [where, value, kind] of edits) {
      const at = where % (bytes.length + 1);
      if (kind === 'set' && at < bytes.length) bytes[at] = value;
      else if (kind === 'insert') bytes.splice(at, 0, value);
      else bytes.splice(at, 1);
    }
    const length = cut === null ? bytes.length : cut % (bytes.length + 1);
    return Uint8Array.from(bytes.slice(0, length));
  });

/** Random opcode soup: mostly opcodes, with arguments of plausible sizes. */
const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...Array.from({ length: 256 }, (_, i) => i).filter((i) => op.isOpcode(i))),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x0a, 0x28, 0x2e),
    ),
    { maxLength: 300 },
  )
  .map((bytes) => Uint8Array.from(bytes));

async function scanBoth(bytes: Uint8Array, chunk: number): Promise<void> {
  const seekable = await scanBytes(bytes);
  const streamed = await scanBytes(bytes, { source: new StreamSource(bytes, chunk) });
  assert.deepEqual(streamed.findings, seekable.findings);
  assert.deepEqual(streamed.problems, seekable.problems);
  assert.ok(seekable.findings.length <= 4 * bytes.length + 8, 'findings stay bounded');
  assert.ok(seekable.problems.length <= 3 * (bytes.length + 2), 'problems stay bounded');
}

describe('fuzzing the simulator', () => {
  it('never throws on random bytes, and streams agree with seekable reads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 9 }), scanBoth),
      { numRuns: 300 },
    );
  });

  it('never throws on opcode soup', async () => {
    await fc.assert(fc.asyncProperty(soup, fc.integer({ min: 1, max: 9 }), scanBoth), {
      numRuns: 400,
    });
  });

  it('never throws on mutated real pickles', async () => {
    await fc.assert(fc.asyncProperty(mutated, fc.integer({ min: 1, max: 9 }), scanBoth), {
      numRuns: 400,
    });
  });

  it('sniffs any bytes without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), soup, mutated), (bytes) => {
        assert.equal(typeof looksLikePickle(bytes), 'boolean');
      }),
      { numRuns: 500 },
    );
  });
});
