import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LimitExceeded } from '../context.js';
import { BufferSource } from '../source.js';
import { scanNumpy } from './numpy.js';
import { FakeContext, type Dispatch } from './testing-context.js';
import { buildZip } from './testing-zip.js';
import { scanZip } from './zip.js';

const PICKLE = Buffer.from('\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.', 'latin1');
const TEXT = Buffer.from('some member text '.repeat(30));
const SEEDS = [
  buildZip([
    { name: 'archive/data.pkl', data: PICKLE },
    { name: 'archive/data/0', data: TEXT, method: 8 },
  ]),
  buildZip(
    [
      { name: 'a', data: TEXT, zip64: true, method: 8 },
      { name: 'b', data: PICKLE, zip64: true },
    ],
    { zip64: true },
  ),
  buildZip(
    [
      { name: 'x', data: TEXT, hidden: true },
      { name: 'y', data: PICKLE, flags: 0x09 },
    ],
    { prefix: Buffer.from('junk') },
  ),
  buildZip([
    { name: 'inner.zip', data: buildZip([{ name: 'p.pkl', data: PICKLE, method: 8 }]), method: 8 },
  ]),
];
const LIMITS = { maxInflatedBytes: 16 << 20, ratioFloorBytes: 1 << 20 };

// Nested zips recurse so that mutations reach the inner reader too.
const dispatch: Dispatch = async (source, context) => {
  const head = await source.read(0, 8);
  if (head[0] === 0x50 && head[1] === 0x4b) await scanZip(source, context);
  else if (head[0] === 0x93) await scanNumpy(source, context);
};

// Any outcome but an exception is fine; LimitExceeded is the designed way to stop.
async function survives(bytes: Uint8Array): Promise<void> {
  try {
    await scanZip(new BufferSource(bytes), new FakeContext({ limits: LIMITS, dispatch }));
  } catch (error) {
    if (!(error instanceof LimitExceeded)) throw error;
  }
}

const edit = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.nat(64) }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0xffff, 0xffffffff, 0x04034b50, 0x02014b50),
  }),
);

function mutate(
  seed: Buffer,
  edits: readonly { kind: 'set' | 'cut' | 'word'; at: number; value: number }[],
): Buffer {
  let bytes = Buffer.from(seed);
  for (const { kind, at, value } of edits) {
    const where = at % Math.max(1, bytes.length);
    if (kind === 'set') bytes[where] = value;
    else if (kind === 'cut')
      bytes = Buffer.concat([bytes.subarray(0, where), bytes.subarray(where + value)]);
    else if (where + 4 <= bytes.length) bytes.writeUInt32LE(value, where);
  }
  return bytes;
}

describe('scanZip on hostile bytes', () => {
  it('never throws on random bytes, with or without a zip signature', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.boolean(), async (bytes, signed) => {
        const input = signed
          ? Buffer.concat([
              Buffer.from('PK\x03\x04'),
              bytes,
              Buffer.from('PK\x05\x06'),
              bytes.subarray(0, 18),
            ])
          : bytes;
        await survives(input);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated archives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(SEEDS.length - 1),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        async (pick, edits) => {
          await survives(mutate(SEEDS[pick] ?? Buffer.alloc(0), edits));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
