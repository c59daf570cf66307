import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileSource } from '../source.js';
import fc from 'fast-check';
import { sharedRoot } from '../../../testkit/paths.js';
import { mutated, run, StreamSource } from './fake-context.js';
import { looksLikeSafetensors, scanSafetensors } from './safetensors.js';

const PEERS = path.join(sharedRoot, 'vectors', 'scanner-peers', 'modelaudit');

/** A safetensors file: 8-byte length, header (object or raw text), then `data` bytes. */
function file(header: unknown, data: number, pad = ''): Uint8Array {
  const text = (typeof header === 'string' ? header : JSON.stringify(header)) + pad;
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const VALID = {
  __metadata__: { format: 'pt', note: "import os; os.system('rm -rf /')" },
  bias: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
  weight: { dtype: 'BF16', shape: [2, 3], data_offsets: [16, 28] },
  empty: { dtype: 'I64', shape: [0, 5], data_offsets: [28, 28] },
  nibbles: { dtype: 'F4', shape: [6], data_offsets: [28, 31] },
};

async function checks(bytes: Uint8Array, limits = {}): Promise<string[]> {
  const { findings } = await run(scanSafetensors, bytes, limits);
  assert.ok(findings.every((f) => f.rule === 'RS301'));
  return findings.map((f) => f.check ?? '');
}

describe('scanSafetensors', () => {
  it('passes a valid file whatever its metadata strings say (they are inert)', async () => {
    assert.deepEqual(await checks(file(VALID, 31)), []);
    assert.deepEqual(await checks(file(VALID, 31, '   ')), []);
  });

  it('reads a decompressed stream the same way', async () => {
    assert.deepEqual((await run(scanSafetensors, new StreamSource(file(VALID, 31)))).findings, []);
    const broken = file({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4);
    assert.deepEqual(
      (await run(scanSafetensors, new StreamSource(broken))).findings.map((f) => f.check),
      ['safetensors.tensor-size'],
    );
  });

  it('reports a header length that does not fit the file', async () => {
    assert.deepEqual(await checks(new Uint8Array(5)), ['safetensors.header-length']);
    const short = file(VALID, 31);
    new DataView(short.buffer).setBigUint64(0, BigInt(short.length), true);
    assert.deepEqual(await checks(short), ['safetensors.header-length']);
    const huge = file(VALID, 31);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    assert.deepEqual(await checks(huge), ['safetensors.header-length']);
  });

  it('reports a header over the scan limit', async () => {
    assert.deepEqual(await checks(file(VALID, 31), { maxHeaderBytes: 16 }), [
      'safetensors.header-too-large',
    ]);
  });

  it('reports headers that are not a UTF-8 JSON object starting with {', async () => {
    const bad = file('{"a": "\u00e9"}', 0);
    bad[8 + 8] = 0xff;
    assert.deepEqual(await checks(bad), ['safetensors.header-utf8']);
    assert.deepEqual(await checks(file(' {}', 0)), ['safetensors.header-start']);
    assert.deepEqual(await checks(file('{"a": ', 0)), ['safetensors.header-json']);
    assert.deepEqual(await checks(file('{}\u0000', 0)), ['safetensors.header-json']);
  });

  it('requires __metadata__ to map strings to strings', async () => {
    const header = { ...VALID, __metadata__: { layers: 3 } };
    assert.deepEqual(await checks(file(header, 31)), ['safetensors.metadata']);
    assert.deepEqual(await checks(file({ ...VALID, __metadata__: null }, 31)), []);
  });

  it('reports unknown dtypes, bad shapes and bad offsets', async () => {
    const tensor = (t: object): object => ({
      a: { dtype: 'U8', shape: [2], data_offsets: [0, 2], ...t },
    });
    assert.deepEqual(await checks(file(tensor({ dtype: 'PY_OBJECT' }), 2)), ['safetensors.dtype']);
    assert.deepEqual(await checks(file(tensor({ shape: [-1] }), 2)), ['safetensors.shape']);
    assert.deepEqual(await checks(file(tensor({ shape: [1.5] }), 2)), ['safetensors.shape']);
    assert.deepEqual(await checks(file(tensor({ data_offsets: [2, 0] }), 2)), [
      'safetensors.offsets-invalid',
    ]);
    assert.deepEqual(await checks(file(tensor({ data_offsets: [0] }), 2)), [
      'safetensors.offsets-invalid',
    ]);
    assert.deepEqual(await checks(file({ a: 'tensor' }, 0)), ['safetensors.tensor']);
  });

  it('reports a dtype × shape that does not match the offsets', async () => {
    const header = { a: { dtype: 'F64', shape: [2, 2], data_offsets: [0, 16] } };
    assert.deepEqual(await checks(file(header, 16)), ['safetensors.tensor-size']);
    const odd = { a: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } };
    assert.deepEqual(await checks(file(odd, 2)), ['safetensors.tensor-size']);
  });

  it('reports overlapping tensors, gaps and data outside the tensors', async () => {
    const two = (b: [number, number], size: number): Uint8Array =>
      file(
        {
          a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
          b: { dtype: 'U8', shape: [b[1] - b[0]], data_offsets: b },
        },
        size,
      );
    assert.deepEqual(await checks(two([4, 8], 8)), []);
    assert.deepEqual(await checks(two([2, 6], 6)), ['safetensors.offsets-overlap']);
    assert.deepEqual(await checks(two([6, 8], 8)), ['safetensors.offsets-gap']);
    assert.deepEqual(await checks(two([4, 8], 6)), ['safetensors.offsets-bounds']);
    assert.deepEqual(await checks(two([4, 8], 12)), ['safetensors.trailing-bytes']);
    const late = { a: { dtype: 'U8', shape: [2], data_offsets: [2, 4] } };
    assert.deepEqual(await checks(file(late, 4)), ['safetensors.offsets-gap']);
  });

  it('reports each failed check once, however many tensors fail it', async () => {
    const header = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        `t${i}`,
        { dtype: 'F32', shape: [1], data_offsets: [0, 3] },
      ]),
    );
    assert.deepEqual(await checks(file(header, 3)), [
      'safetensors.tensor-size',
      'safetensors.offsets-overlap',
    ]);
  });

  it('passes every peer file: their suspicious metadata strings are inert', async () => {
    const names = readdirSync(PEERS).filter((n) => n.endsWith('.safetensors'));
    assert.equal(names.length, 7);
    for (const name of names) {
      const source = await FileSource.open(`${PEERS}/${name}`);
      try {
        const recorded = await run(scanSafetensors, source);
        assert.deepEqual(recorded, { findings: [], problems: [], nested: [] }, name);
      } finally {
        await source.close();
      }
    }
  });

  it('never throws on random or mutated bytes', async () => {
    const seeds = [
      file(VALID, 31),
      file({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, 1),
    ];
    await fc.assert(
      fc.asyncProperty(mutated(seeds), async (bytes) => {
        looksLikeSafetensors(bytes, bytes.length);
        await run(scanSafetensors, bytes);
        await run(scanSafetensors, new StreamSource(bytes, 3));
      }),
      { numRuns: 300 },
    );
  });
});

describe('looksLikeSafetensors', () => {
  it('accepts a plausible length followed by {', () => {
    const bytes = file(VALID, 31);
    assert.equal(looksLikeSafetensors(bytes.subarray(0, 64), bytes.length), true);
  });

  it('rejects text, pickles and zips', () => {
    const text = new TextEncoder().encode('{"tokenizer_class": "Bert"}');
    assert.equal(looksLikeSafetensors(text, text.length), false);
    assert.equal(
      looksLikeSafetensors(Uint8Array.from([0x80, 4, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x7d]), 100),
      false,
    );
    assert.equal(
      looksLikeSafetensors(new TextEncoder().encode('PK\u0003\u0004rest of zip'), 100),
      false,
    );
  });

  it('still sniffs a header whose length runs past the end, so it can be reported', () => {
    const bytes = file(VALID, 31);
    assert.equal(looksLikeSafetensors(bytes, 20), true);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 50n, true);
    assert.equal(looksLikeSafetensors(bytes, bytes.length), false);
  });
});
