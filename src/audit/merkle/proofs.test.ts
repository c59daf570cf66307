import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isRampartError } from '../../core/index.js';
import { leafHash, nodeHash } from './hash.js';
import { MemoryTree } from './memory-tree.js';
import { consistencyProof, inclusionProof, rootAt } from './proofs.js';
import { splitPoint } from './size.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

// A naive, recursive RFC 9162 §2.1 reference over the leaf hashes, to compare against.
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function refPath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  return m < k
    ? [...refPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...refPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

function refSubproof(m: number, leaves: readonly Buffer[], known: boolean): Buffer[] {
  if (m === leaves.length) return known ? [] : [mth(leaves)];
  const k = splitPoint(leaves.length);
  return m <= k
    ? [...refSubproof(m, leaves.slice(0, k), known), mth(leaves.slice(k))]
    : [...refSubproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

const N = 300;
const leaves = Array.from({ length: N }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const tree = new MemoryTree();
for (const leaf of leaves) tree.append(leaf);

function flip(buffers: readonly Buffer[], at: number, bit: number): Buffer[] {
  return buffers.map((b, i) => {
    if (i !== at) return b;
    const copy = Buffer.from(b);
    copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
    return copy;
  });
}

const rejects = (fn: () => void): void => {
  assert.throws(fn, (e) => isRampartError(e, 'RAMPART_AUDIT_PROOF_INVALID'));
};

describe('merkle proofs from stored perfect nodes', () => {
  it('computes every root from 0 to 300 leaves as the naive recursion does', async () => {
    for (let size = 1; size <= N; size++) {
      assert.deepEqual(await rootAt(tree, size), mth(leaves.slice(0, size)), `size ${size}`);
    }
    assert.deepEqual(tree.root(), mth(leaves));
  });

  it('produces inclusion proofs equal to the reference, and they verify', async () => {
    for (const size of [1, 2, 3, 5, 8, 13, 64, 100, 129, 255, 256, 257, 300]) {
      const root = mth(leaves.slice(0, size));
      for (let index = 0; index < size; index += size > 20 ? 7 : 1) {
        const proof = await inclusionProof(tree, index, size);
        assert.deepEqual(proof, refPath(index, leaves.slice(0, size)), `${index}/${size}`);
        verifyInclusion(leaves[index] as Buffer, index, size, proof, root);
      }
    }
  });

  it('produces consistency proofs equal to the reference, and they verify', async () => {
    for (const size2 of [1, 2, 3, 7, 8, 9, 100, 128, 255, 256, 300]) {
      const root2 = mth(leaves.slice(0, size2));
      for (let size1 = 1; size1 <= size2; size1 += size2 > 20 ? 5 : 1) {
        const proof = await consistencyProof(tree, size1, size2);
        const want = refSubproof(size1, leaves.slice(0, size2), true);
        assert.deepEqual(proof, want, `${size1}->${size2}`);
        verifyConsistency(size1, size2, mth(leaves.slice(0, size1)), root2, proof);
      }
    }
  });

  it('rejects an inclusion proof after any single-bit change to proof, root or leaf', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: N }).chain((size) =>
          fc.record({
            size: fc.constant(size),
            index: fc.nat(size - 1),
            target: fc.nat(),
            bit: fc.nat(255),
          }),
        ),
        async ({ size, index, target, bit }) => {
          const proof = await inclusionProof(tree, index, size);
          const parts = [leaves[index] as Buffer, await rootAt(tree, size), ...proof];
          const bad = flip(parts, target % parts.length, bit);
          const [leaf, root, ...rest] = bad as [Buffer, Buffer, ...Buffer[]];
          rejects(() => {
            verifyInclusion(leaf, index, size, rest, root);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a consistency proof after any single-bit change to proof or roots', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: N }).chain((size2) =>
          fc.record({
            size2: fc.constant(size2),
            size1: fc.integer({ min: 1, max: size2 - 1 }),
            target: fc.nat(),
            bit: fc.nat(255),
          }),
        ),
        async ({ size1, size2, target, bit }) => {
          const proof = await consistencyProof(tree, size1, size2);
          const parts = [await rootAt(tree, size1), await rootAt(tree, size2), ...proof];
          const bad = flip(parts, target % parts.length, bit);
          const [root1, root2, ...rest] = bad as [Buffer, Buffer, ...Buffer[]];
          rejects(() => {
            verifyConsistency(size1, size2, root1, root2, rest);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a valid proof presented for another index or size', async () => {
    const proof = await inclusionProof(tree, 5, 10);
    const root = await rootAt(tree, 10);
    rejects(() => {
      verifyInclusion(leaves[5] as Buffer, 4, 10, proof, root);
    });
    rejects(() => {
      verifyInclusion(leaves[5] as Buffer, 5, 6, proof, root);
    });
    rejects(() => {
      verifyInclusion(leaves[5] as Buffer, 5, 10, [...proof, root], root);
    });
    rejects(() => {
      verifyInclusion(leaves[5] as Buffer, 5, 10, proof.slice(1), root);
    });
  });

  it('refuses out-of-range requests with a usage error', async () => {
    const range = (e: unknown) => isRampartError(e, 'RAMPART_AUDIT_RANGE_INVALID');
    await assert.rejects(inclusionProof(tree, 3, 3), range);
    await assert.rejects(inclusionProof(tree, -1, 3), range);
    await assert.rejects(inclusionProof(tree, 0.5, 3), range);
    await assert.rejects(consistencyProof(tree, 0, 3), range);
    await assert.rejects(consistencyProof(tree, 4, 3), range);
    await assert.rejects(rootAt(tree, N + 1), range);
    await assert.rejects(rootAt(tree, Number.NaN), range);
    assert.throws(() => {
      verifyInclusion(leaves[0] as Buffer, 0, 2 ** 64, [], leaves[0] as Buffer);
    }, range);
  });

  it('gives empty proofs for a one-leaf tree and for equal sizes', async () => {
    assert.deepEqual(await inclusionProof(tree, 0, 1), []);
    assert.deepEqual(await consistencyProof(tree, 7, 7), []);
    verifyInclusion(leaves[0] as Buffer, 0, 1, [], leaves[0] as Buffer);
  });
});
