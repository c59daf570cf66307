import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BufferSource } from '../source.js';
import { looksLikeNumpy, scanNumpy } from './numpy.js';
import { FakeContext } from './testing-context.js';

const PICKLE = Buffer.from('\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.', 'latin1');

/** An .npy file with `header` (padded as numpy pads it) and `data`. */
function npy(
  header: string,
  data: Uint8Array,
  major = 1,
  encoding: BufferEncoding = 'latin1',
): Buffer {
  const prefix = major === 1 ? 10 : 12;
  let text = Buffer.from(header, encoding);
  const pad = 64 - ((prefix + text.length + 1) % 64);
  text = Buffer.concat([text, Buffer.alloc(pad % 64, 0x20), Buffer.from('\n')]);
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(head);
  if (major === 1) head.writeUInt16LE(text.length, 8);
  else head.writeUInt32LE(text.length, 8);
  return Buffer.concat([head, text, data]);
}

async function scan(bytes: Uint8Array): Promise<FakeContext> {
  const context = new FakeContext();
  await scanNumpy(new BufferSource(bytes), context);
  return context;
}

const INT_HEADER = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }";

describe('looksLikeNumpy', () => {
  it('recognises the magic string', () => {
    assert.ok(looksLikeNumpy(npy(INT_HEADER, Buffer.alloc(16))));
    assert.ok(!looksLikeNumpy(Buffer.from('\x93NUMP', 'latin1')));
    assert.ok(!looksLikeNumpy(PICKLE));
  });
});

describe('scanNumpy', () => {
  it('passes a plain array whose data matches its header', async () => {
    for (const major of [1, 2, 3]) {
      const context = await scan(npy(INT_HEADER, Buffer.alloc(16), major));
      assert.deepEqual([context.findings, context.problems, context.nested], [[], [], []]);
    }
  });

  it('hands object-array data to the pickle scanner', async () => {
    for (const descr of [
      "'|O'",
      "'O'",
      "'object'",
      "[('a', '<f8'), ('b', '|O', (2,))]",
      "('|O', (3,))",
      "'i4,O'",
    ]) {
      const context = await scan(
        npy(`{'descr': ${descr}, 'fortran_order': False, 'shape': (3,)}`, PICKLE),
      );
      assert.equal(context.nested.length, 1, descr);
      const [item] = context.nested;
      assert.equal(item?.hint, 'pickle');
      assert.equal(item.name, '<object array>');
      assert.deepEqual(Buffer.from(item.bytes), PICKLE);
    }
  });

  it('reads version 3.0 headers as UTF-8', async () => {
    const header = "{'descr': [('café', '|O')], 'fortran_order': False, 'shape': (1,)}";
    const context = await scan(npy(header, PICKLE, 3, 'utf8'));
    assert.equal(context.nested[0]?.hint, 'pickle');
  });

  it('accepts Python 2 long integers in version 1.0 headers', async () => {
    const context = await scan(
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L)}", Buffer.alloc(48)),
    );
    assert.deepEqual([context.findings, context.problems], [[], []]);
  });

  it('reports array data shorter than the header promises (RS309)', async () => {
    const context = await scan(
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 1000)}", Buffer.alloc(80)),
    );
    assert.deepEqual(
      context.findings.map((f) => [f.rule, f.check]),
      [['RS309', 'numpy.data-size']],
    );
  });

  it('computes structured and string item sizes', async () => {
    const header =
      "{'descr': [('x', '<f4', (2,)), ('name', '<U3'), ('', '|V4')], 'fortran_order': True, 'shape': (5,)}";
    const context = await scan(npy(header, Buffer.alloc(5 * (8 + 12 + 4))));
    assert.deepEqual([context.findings, context.nested], [[], []]);
  });

  it('scans bytes after the array data on their own (numpy ignores them)', async () => {
    const context = await scan(npy(INT_HEADER, Buffer.concat([Buffer.alloc(16), PICKLE])));
    assert.deepEqual(context.findings, []);
    assert.equal(context.nested[0]?.name, '<npy trailing data>');
    assert.deepEqual(Buffer.from(context.nested[0].bytes), PICKLE);
  });

  it('falls back to scanning the data when the header cannot be read', async () => {
    const context = await scan(
      npy("{'descr': '\\N{LATIN CAPITAL LETTER O}', 'fortran_order': False, 'shape': ()}", PICKLE),
    );
    assert.deepEqual(
      context.problems.map((p) => p.code),
      ['numpy-bad-header'],
    );
    assert.equal(context.nested[0]?.hint, 'pickle');
    const plain = await scan(
      npy("{'descr': 1.5, 'fortran_order': False, 'shape': ()}", Buffer.alloc(8)),
    );
    assert.equal(plain.nested[0]?.hint, undefined);
  });

  it('reports headers numpy rejects', async () => {
    for (const header of [
      "{'descr': '<i4', 'shape': (2,)}",
      "{'descr': '<i4', 'fortran_order': 0, 'shape': (2,)}",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}",
    ]) {
      const context = await scan(npy(header, Buffer.alloc(8)));
      assert.deepEqual(
        context.problems.map((p) => p.code),
        ['numpy-bad-header'],
        header,
      );
    }
  });

  it('reports unsupported versions and truncated headers', async () => {
    const wrong = npy(INT_HEADER, Buffer.alloc(16));
    wrong[6] = 4;
    assert.deepEqual(
      (await scan(wrong)).problems.map((p) => p.code),
      ['numpy-bad-version'],
    );
    const cut = npy(INT_HEADER, Buffer.alloc(0)).subarray(0, 40);
    assert.deepEqual(
      (await scan(cut)).problems.map((p) => p.code),
      ['numpy-truncated'],
    );
  });

  it('never throws on mutated files', async () => {
    const seed = npy(
      "{'descr': [('a', '<f8'), ('b', '|O')], 'fortran_order': False, 'shape': (3,)}",
      PICKLE,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8,
        }),
        async (edits) => {
          const bytes = Buffer.from(seed);
          for (const [at, value] of edits) bytes[at] = value;
          await scan(bytes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
