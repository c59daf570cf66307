import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { LimitExceeded } from '../context.js';
import { BufferSource } from '../source.js';
import { scanCompressed, sniffCompression } from './compressed.js';
import { inflate } from './inflate.js';
import { FakeContext } from './testing-context.js';
import { zeroDeflate } from './testing-zip.js';

// PAYLOAD compressed by Python 3.11 (lzma, bz2): xz as joblib writes it (check none), xz with
// lc=1 lp=3 pb=4 and a CRC-64 check, .lzma (FORMAT_ALONE) and bz2.
const PAYLOAD = Buffer.concat([
  Buffer.from('\x80\x02crampart\nprobe\nq\x00.', 'latin1'),
  Buffer.from('hello lzma '.repeat(40)),
]);
const XZ = hex(
  'fd377a585a000000ff12d9410200210116000000742fe5a3e001cb00285d0040008803ea10e72218f74d09ce22486f9b23a18d6e1f23c2cda22e567d45745f6a9f742d4e7800000000013ccc030000003fb9bd8ea8000afc020000000000595a',
);
const XZ_LCLP = hex(
  'fd377a585a000004e6d6b4460200210108000000d80f2313e001cb002ad000400088672309b4e0613754193c98f8e9747930e940d26a9c24b4296084dc5e6cc8e717bada404d900000000000544e08dc83e2f23d000146cc0300000098970424b1c467fb020000000004595a',
);
const LZMA = hex(
  '5d00008000ffffffffffffffff0040008803ea10e72218f74d09ce22486f9b23a18d6e1f23c2cda22e567d45745f6a9f742d57c3edfffffba12000',
);
const BZ2 = hex(
  '425a683931415926535988e275d80000e5d1c0501040013a46f4104000200050a64c4c832302a5506d09e8c9e94c6aafcc90c88f56c88aadbf63c119cc90b88a11ec468477f045faa6b16dac238fe2ee48a70a12111c4ebb00',
);

function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

async function scan(bytes: Uint8Array, context = new FakeContext()): Promise<FakeContext> {
  await scanCompressed(new BufferSource(bytes), context);
  return context;
}

describe('sniffCompression', () => {
  it('recognises each joblib compressor by its header', () => {
    assert.equal(sniffCompression(deflateSync(PAYLOAD)), 'zlib');
    assert.equal(sniffCompression(gzipSync(PAYLOAD)), 'gzip');
    assert.equal(sniffCompression(BZ2), 'bz2');
    assert.equal(sniffCompression(XZ), 'xz');
    assert.equal(sniffCompression(LZMA), 'lzma');
    assert.equal(sniffCompression(hex('04224d18640040a7')), 'lz4');
  });

  it("recognises joblib's old ZF files", () => {
    const zfile = Buffer.concat([Buffer.from('ZF' + '0x1cc'.padEnd(19)), deflateSync(PAYLOAD)]);
    assert.equal(sniffCompression(zfile), 'zlib');
  });

  it('does not take text starting with x^ or a bare BZh for compressed data', () => {
    assert.equal(
      sniffCompression(Buffer.from('x^ this is plain text, not zlib at all')),
      undefined,
    );
    assert.equal(sniffCompression(Buffer.from('BZh9 but no block magic')), undefined);
    assert.equal(
      sniffCompression(Buffer.from([0x5d, 0, 0, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])),
      undefined,
    );
  });

  it('does not take random bytes behind a valid zlib header for zlib, however short', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
        return sniffCompression(Buffer.concat([Buffer.from([0x78, 0x9c]), bytes])) === undefined;
      }),
      { numRuns: 1000 },
    );
  });

  it('does not sniff random bytes as compressed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), (bytes) => {
        const kind = sniffCompression(bytes);
        return (
          kind === undefined ||
          bytes[0] === 0x1f ||
          bytes[0] === 0xfd ||
          bytes[0] === 0x04 ||
          bytes[0] === 0x42
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('scanCompressed', () => {
  for (const [kind, bytes] of [
    ['zlib', deflateSync(PAYLOAD, { level: 3 })],
    ['gzip', gzipSync(PAYLOAD)],
    ['bz2', BZ2],
    ['xz', XZ],
    ['xz', XZ_LCLP],
    ['lzma', LZMA],
  ] as const) {
    it(`hands the decompressed ${kind} content to the engine`, async () => {
      const context = await scan(bytes);
      assert.deepEqual(context.problems, []);
      assert.equal(context.nested.length, 1);
      const [item] = context.nested;
      assert.equal(item?.name, `<decompressed ${kind}>`);
      assert.equal(item.size, PAYLOAD.length);
      assert.deepEqual(Buffer.from(item.bytes), PAYLOAD);
    });
  }

  it('reads old ZF files, with and without the extra space', async () => {
    for (const pad of [19, 20]) {
      const zfile = Buffer.concat([Buffer.from('ZF' + '0x1cc'.padEnd(pad)), deflateSync(PAYLOAD)]);
      const context = await scan(zfile);
      assert.deepEqual(Buffer.from(context.nested[0]?.bytes ?? []), PAYLOAD);
    }
  });

  it('reads every gzip member and ignores reserved flag bits, zero padding and trailing garbage', async () => {
    const first = gzipSync(PAYLOAD);
    first[3] = 0x20;
    const file = Buffer.concat([
      first,
      Buffer.alloc(8),
      gzipSync(Buffer.from('second')),
      Buffer.from('garbage'),
    ]);
    const context = await scan(file);
    assert.deepEqual(context.problems, []);
    assert.deepEqual(
      Buffer.from(context.nested[0]?.bytes ?? []),
      Buffer.concat([PAYLOAD, Buffer.from('second')]),
    );
  });

  it('skips gzip name and comment fields', async () => {
    const plain = gzipSync(PAYLOAD);
    const named = Buffer.concat([
      plain.subarray(0, 3),
      Buffer.from([0x18]),
      plain.subarray(4, 10),
      Buffer.from('model.pkl\0a comment\0'),
      plain.subarray(10),
    ]);
    const context = await scan(named);
    assert.deepEqual(Buffer.from(context.nested[0]?.bytes ?? []), PAYLOAD);
  });

  it('scans what was decoded before a stream is cut short, and reports the cut', async () => {
    const cut = deflateSync(Buffer.concat([PAYLOAD, Buffer.alloc(100_000, 7)]), {
      level: 0,
    }).subarray(0, 2000);
    const context = await scan(cut);
    assert.deepEqual(
      context.problems.map((p) => p.code),
      ['compression-corrupt'],
    );
    assert.ok(
      Buffer.from(context.nested[0]?.bytes ?? [])
        .subarray(0, PAYLOAD.length)
        .equals(PAYLOAD),
    );
  });

  it('reports a corrupt stream that yields nothing and hands nothing over', async () => {
    const broken = Buffer.from(XZ);
    broken.fill(0xee, 24, 40);
    const context = await scan(broken);
    assert.deepEqual(
      context.problems.map((p) => p.code),
      ['compression-corrupt'],
    );
    assert.equal(context.nested.length, 0);
  });

  it('reports lz4 as unsupported', async () => {
    const context = await scan(hex('04224d18640040a700000000'));
    assert.deepEqual(
      context.problems.map((p) => p.code),
      ['compression-unsupported'],
    );
  });

  it('stops a gzip bomb at the ratio limit without inflating all of it', async () => {
    const bomb = Buffer.concat([
      gzipSync(Buffer.alloc(0)).subarray(0, 10),
      zeroDeflate(1024),
      Buffer.alloc(8),
    ]);
    const context = new FakeContext({
      limits: { ratioFloorBytes: 4 << 20, maxCompressionRatio: 10 },
    });
    await scan(bomb, context);
    assert.deepEqual(
      context.findings.map((f) => [f.rule, f.check]),
      [['RS204', 'archive.ratio']],
    );
    assert.ok(context.inflatedTotal < 64 << 20, `inflated ${context.inflatedTotal}`);
    assert.ok((context.nested[0]?.size ?? 0) <= 16 << 20);
  });

  it('lets the total inflate limit propagate', async () => {
    const context = new FakeContext({ limits: { maxInflatedBytes: 1 << 20 } });
    const zlib = deflateSync(Buffer.alloc(4 << 20), { level: constants.Z_BEST_SPEED });
    await assert.rejects(scan(zlib, context), LimitExceeded);
  });

  it('keeps a limit hit while reading the compressed bytes a limit', async () => {
    async function* input(): AsyncGenerator<Uint8Array> {
      yield deflateSync(PAYLOAD).subarray(0, 10);
      await Promise.resolve();
      throw new LimitExceeded('RS204', 'budget spent');
    }
    await assert.rejects(async () => {
      for await (const chunk of inflate(input(), 'zlib')) assert.ok(chunk.length >= 0);
    }, LimitExceeded);
  });

  it('serves large results as a re-decoding source that reads the same bytes anywhere', async () => {
    const data = Buffer.alloc(6 << 20);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    const context = new FakeContext();
    const source = new BufferSource(deflateSync(data, { level: 1 }));
    let nested:
      | { read(o: number, l: number): Promise<Uint8Array>; seekable: boolean; size: number }
      | undefined;
    context.scanNested = (_name, decoded) => {
      nested = decoded;
      return Promise.resolve();
    };
    await scanCompressed(source, context);
    assert.ok(nested !== undefined);
    assert.equal(nested.seekable, false);
    assert.equal(nested.size, data.length);
    for (const offset of [0, 100, 70_000, 5 << 20, 4096, (6 << 20) - 10]) {
      assert.deepEqual(
        Buffer.from(await nested.read(offset, 5000)),
        data.subarray(offset, offset + 5000),
      );
    }
  });

  it('never throws on random or mutated streams', async () => {
    const seeds = [deflateSync(PAYLOAD), gzipSync(PAYLOAD), BZ2, XZ, LZMA];
    await fc.assert(
      fc.asyncProperty(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        async (pick, edits) => {
          const bytes = Buffer.from(seeds[pick] ?? PAYLOAD);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          await scan(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });
});
