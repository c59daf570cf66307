import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteQueue } from './byte-queue.js';

describe('ByteQueue', () => {
  it('returns exactly the bytes pushed, in order, whatever the piece and take sizes', () => {
    const pieces = fc.array(fc.uint8Array({ maxLength: 9000 }), { maxLength: 30 });
    const takes = fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 30 });
    fc.assert(
      fc.property(pieces, takes, (input, sizes) => {
        const queue = new ByteQueue();
        for (const piece of input) queue.push(Buffer.from(piece));
        const expected = Buffer.concat(input);
        assert.equal(queue.length, expected.length);
        const out: Buffer[] = [];
        for (const size of sizes) out.push(queue.takeBuffer(size));
        out.push(...queue.take(queue.length));
        assert.equal(queue.length, 0);
        assert.deepEqual(Buffer.concat(out), expected);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('copies tiny pieces together instead of keeping one object per piece', () => {
    const queue = new ByteQueue();
    for (let i = 0; i < 10_000; i += 1) queue.push(Buffer.from([i & 0xff]));
    const pieces = queue.take(10_000);
    assert.ok(pieces.length <= 1, `${pieces.length} pieces`);
    assert.equal(pieces[0]?.[300], 300 & 0xff);
  });
});
