import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { LimitExceeded, type ScanLimits } from '../context.js';
import { BufferSource } from '../source.js';
import { FakeContext } from './testing-context.js';
import { buildZip, zeroDeflate } from './testing-zip.js';
import { scanZip } from './zip.js';

const TEXT = Buffer.from('just some text\n'.repeat(20));

async function scan(bytes: Uint8Array, limits: Partial<ScanLimits> = {}): Promise<FakeContext> {
  const context = new FakeContext({ limits });
  await scanZip(new BufferSource(bytes), context);
  return context;
}

function names(context: FakeContext): string[] {
  return context.nested.map((n) => n.name);
}

function checks(context: FakeContext): string[] {
  return context.findings.map((f) => `${f.rule} ${f.check ?? ''}`);
}

describe('scanZip limits', () => {
  it('reports a member whose declared size is a bomb and inflates only its head', async () => {
    const bomb = zeroDeflate(1024);
    const limits = { ratioFloorBytes: 1 << 20, maxCompressionRatio: 100 };
    const context = await scan(
      buildZip([
        {
          name: 'zeros',
          data: Buffer.alloc(0),
          method: 8,
          compressed: bomb,
          declaredSize: 1 << 30,
        },
      ]),
      limits,
    );
    assert.deepEqual(checks(context), ['RS204 archive.declared-ratio']);
    assert.equal(context.nested[0]?.size, 1 << 20);
    assert.ok(context.inflatedTotal <= 3 << 20, `inflated ${context.inflatedTotal}`);
  });

  it('stops inflating at the declared size', async () => {
    const context = await scan(
      buildZip([
        {
          name: 'liar',
          data: Buffer.alloc(0),
          method: 8,
          compressed: zeroDeflate(64),
          declaredSize: 1000,
        },
      ]),
    );
    assert.equal(context.nested[0]?.bytes.length, 1000);
    assert.ok(context.inflatedTotal < 1 << 20);
  });

  it('lets the total inflate limit propagate', async () => {
    const zip = buildZip([{ name: 'big', data: Buffer.alloc(3 << 20), method: 8 }]);
    await assert.rejects(scan(zip, { maxInflatedBytes: 1 << 20 }), LimitExceeded);
  });

  it('reports overlapping members (a non-recursive bomb) and scans the outer one', async () => {
    const kernel = deflateRawSync(TEXT);
    const zip = buildZip([
      { name: 'a', data: TEXT, method: 8, compressed: kernel },
      { name: 'b', data: TEXT, method: 8, compressed: kernel, centralOffset: 0, centralOnly: true },
    ]);
    const context = await scan(zip);
    assert.deepEqual(checks(context), ['RS202 zip.local-name', 'RS204 archive.overlap']);
    assert.deepEqual(names(context), ['a']);
  });

  it('reports too many members', async () => {
    const context = await scan(buildZip(['a', 'b', 'c'].map((name) => ({ name, data: TEXT }))), {
      maxArchiveEntries: 2,
    });
    assert.deepEqual(checks(context), ['RS204 archive.entries']);
    assert.deepEqual(names(context), ['a', 'b']);
  });
});
