/**
 * Reading behaviour: large payloads are skipped without being read, non-seekable streams give
 * the same results, trailing bytes and truncation are reported, and limits become RS108.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../../testkit/tmp.js';
import { BufferSource, FileSource, type ByteSource } from '../source.js';
import * as op from './opcodes.js';
import { scanBytes, StreamSource } from './testing-context.js';
import { pickle } from './testing-writer.js';

/** A seekable source that counts the bytes it hands out. */
class CountingSource implements ByteSource {
  readonly seekable = true;
  bytesRead = 0;
  readonly #inner: BufferSource;
  constructor(bytes: Uint8Array) {
    this.#inner = new BufferSource(bytes);
  }
  get size(): number {
    return this.#inner.size;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const chunk = await this.#inner.read(offset, length);
    this.bytesRead += chunk.length;
    return chunk;
  }
  stream(offset?: number, chunkSize?: number): AsyncIterable<Uint8Array> {
    return this.#inner.stream(offset, chunkSize);
  }
}

describe('large payloads', () => {
  const big = new Uint8Array(8 * 1024 * 1024).fill(0x2e);
  const bytes = pickle()
    .proto(4)
    .mark()
    .bin(big)
    .bin(big)
    .op(op.LIST)
    .pop()
    .call('os', 'system', 'after')
    .stop()
    .bytes();

  it('skips them without reading when the source is seekable', async () => {
    const source = new CountingSource(bytes);
    const context = await scanBytes(bytes, { source });
    assert.deepEqual(context.rules('medium'), ['RS101']);
    assert.ok(source.bytesRead < bytes.length / 16, `read ${source.bytesRead} of ${bytes.length}`);
  });

  it('streams past them when the source is not seekable', async () => {
    const context = await scanBytes(bytes, { source: new StreamSource(bytes, 1 << 20) });
    assert.deepEqual(context.rules('medium'), ['RS101']);
    assert.deepEqual(context.codes(), []);
  });

  it('re-reads a large nested-loader argument from the source', async () => {
    const inner = pickle().proto(4).bin(big).pop().call('os', 'system', 'deep').stop().bytes();
    const outer = pickle().proto(4).call('pickle', 'loads', inner).stop().bytes();
    const context = await scanBytes(outer);
    assert.deepEqual(context.rules('medium'), ['RS105', 'RS101']);
    assert.equal(context.nested[0]?.bytes.length, inner.length);
  });
});

describe('chunked streams agree with seekable reads', () => {
  const cases = [
    pickle().raw("cos\nsystem\n(S'ls'\ntR.").bytes(),
    pickle().proto(4).frame(40).call('builtins', 'exec', 'x'.repeat(300)).stop().bytes(),
    pickle()
      .proto(2)
      .mark()
      .str('a')
      .int(70000)
      .op(op.LONG1, [3, 1], [0x123456, 3])
      .op(op.TUPLE)
      .stop()
      .bytes(),
  ];
  for (const [i, bytes] of cases.entries()) {
    it(`case ${i}`, async () => {
      const seekable = await scanBytes(bytes);
      for (const chunk of [1, 2, 3, 7, 64]) {
        const streamed = await scanBytes(bytes, { source: new StreamSource(bytes, chunk) });
        assert.deepEqual(streamed.findings, seekable.findings, `chunk ${chunk}`);
        assert.deepEqual(streamed.problems, seekable.problems, `chunk ${chunk}`);
      }
    });
  }
});

describe('protocol-0 text lines', () => {
  it('skips a STRING longer than the line limit and keeps scanning', async () => {
    const long = `S'${'a'.repeat(200_000)}'\n`;
    const bytes = pickle().raw(long).op(op.POP).raw("cos\nsystem\n(S'id'\ntR.").bytes();
    for (const source of [undefined, new StreamSource(bytes, 4096)]) {
      const context = await scanBytes(bytes, source ? { source } : {});
      assert.deepEqual(context.rules('medium'), ['RS101']);
      assert.deepEqual(context.codes(), []);
    }
  });
});

describe('trailing data and truncation', () => {
  const one = pickle().proto(4).str('x').stop().bytes();

  it('accepts whitespace and NUL padding after the last pickle', async () => {
    const context = await scanBytes(pickle().raw(one).raw('\n\n\t \0\0').bytes());
    assert.deepEqual(context.codes(), []);
  });

  it('reports other trailing bytes', async () => {
    const context = await scanBytes(pickle().raw(one).raw([0xde, 0xad]).bytes());
    assert.deepEqual(context.codes(), ['pickle-trailing-data']);
  });

  it('reports a pickle without STOP and an empty input', async () => {
    assert.deepEqual((await scanBytes(pickle().proto(4).str('x').bytes())).codes(), [
      'pickle-truncated',
    ]);
    assert.deepEqual((await scanBytes(new Uint8Array(0))).codes(), ['pickle-empty']);
  });

  it('reports a payload that runs past the end', async () => {
    const bytes = pickle()
      .proto(4)
      .op(op.BINBYTES8, [1 << 30, 8])
      .raw('abc')
      .bytes();
    assert.deepEqual((await scanBytes(bytes)).codes(), ['pickle-truncated']);
  });
});

describe('limits', () => {
  it('stops at the stack limit with RS108', async () => {
    const w = pickle().proto(4);
    for (let i = 0; i < 50; i++) w.op(op.NONE);
    const context = await scanBytes(w.stop().bytes(), { limits: { maxPickleStack: 20 } });
    assert.deepEqual(context.rules(), ['RS108']);
  });

  it('reports the memo limit with RS108 and keeps going', async () => {
    const w = pickle().proto(4);
    for (let i = 0; i < 50; i++) w.op(op.NONE).memoize().pop();
    const context = await scanBytes(w.call('os', 'system', 'x').stop().bytes(), {
      limits: { maxPickleMemo: 10 },
    });
    assert.deepEqual(context.rules(), ['RS108', 'RS101']);
  });

  it('detects a billion-laughs expansion', async () => {
    const w = pickle().proto(4).op(op.EMPTY_LIST).memoize();
    for (let level = 1; level <= 40; level++) {
      w.mark();
      for (let i = 0; i < 4; i++) w.get(level - 1);
      w.op(op.LIST).memoize();
    }
    const context = await scanBytes(w.stop().bytes());
    assert.deepEqual(context.rules(), ['RS108']);
  });
});

describe('file windows', () => {
  it('reads a multi-window file into one reused buffer with the same results as memory', async () => {
    // ~3.5 MiB of short strings and memo traffic, with calls placed so that opcodes straddle the
    // 1 MiB window boundaries; the file path reuses one buffer, the memory path never does.
    const writer = pickle().proto(4).mark();
    for (let i = 0; i < 100_000; i++) {
      writer.str(`item-${i}-${'x'.repeat(i % 37)}`).memoize();
      if (i % 7 === 0) writer.get(i - (i % 5)).pop();
      if (i % 25_000 === 24_999) writer.call('os', 'system', `at ${i}`).pop();
    }
    const bytes = writer.op(op.LIST).call('subprocess', 'Popen', 'end').stop().bytes();
    assert.ok(bytes.length > 2 * 1024 * 1024);
    const file = path.join(tempDir(), 'windows.pkl');
    writeFileSync(file, bytes);
    const source = await FileSource.open(file);
    try {
      const fromFile = await scanBytes(bytes, { source });
      const fromMemory = await scanBytes(bytes);
      assert.deepEqual(fromFile.findings, fromMemory.findings);
      assert.deepEqual(fromFile.problems, fromMemory.problems);
      assert.equal(fromFile.findings.filter((f) => f.rule === 'RS101').length, 5);
    } finally {
      await source.close();
    }
  });
});
