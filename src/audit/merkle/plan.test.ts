import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import { EMPTY_RANGE, appendLeaf, appendLeaves, compactRoot, loadCompactRange } from './compact.js';
import type { CompactRange } from './compact.js';
import { leafHash } from './hash.js';
import { MemoryTree } from './memory-tree.js';
import { consistencyPlan, inclusionPlan, rootPlan } from './plan.js';
import { rootAt } from './proofs.js';

const leaf = (i: number): Buffer => leafHash(Buffer.from([i & 0xff, i >> 8]));

describe('merkle node plans', () => {
  it('decomposes a size into perfect subtrees, one per set bit, largest first', () => {
    assert.deepEqual(rootPlan(0), []);
    assert.deepEqual(rootPlan(13), [
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    assert.deepEqual(rootPlan(2 ** 40), [{ level: 40, index: 0 }]);
    assert.equal(rootPlan(2 ** 53 - 1).length, 53);
  });

  it('needs O(log n) nodes for any proof, even in a huge tree', () => {
    const n = 2 ** 52 + 12345;
    const count = (plan: readonly (readonly unknown[])[]) => plan.flat().length;
    assert.ok(count(inclusionPlan(n - 1, n)) <= 2 * 53);
    assert.ok(count(inclusionPlan(777, n)) <= 2 * 53);
    assert.ok(count(consistencyPlan(n - 99, n)) <= 2 * 53);
  });
});

describe('compact range', () => {
  it('stores exactly the perfect nodes and tracks the root while appending', async () => {
    const tree = new MemoryTree();
    let range: CompactRange = EMPTY_RANGE;
    const stored = new Map<string, Buffer>();
    for (let i = 0; i < 70; i++) {
      const step = appendLeaf(range, leaf(i));
      range = step.range;
      for (const node of step.completed) stored.set(`${node.level}/${node.index}`, node.hash);
      tree.append(leaf(i));
      assert.deepEqual(compactRoot(range), await rootAt(tree, i + 1));
    }
    // 70 leaves hold 70 + 35 + 17 + 8 + 4 + 2 + 1 perfect nodes.
    assert.equal(stored.size, 137);
    const [node] = await tree.readNodes([{ level: 2, index: 5 }]);
    assert.deepEqual(stored.get('2/5'), node);
  });

  it('lists the nodes an appended leaf completes, lowest first', () => {
    const seven = appendLeaves(EMPTY_RANGE, [0, 1, 2, 3, 4, 5, 6].map(leaf)).range;
    const ids = appendLeaf(seven, leaf(7)).completed.map(({ level, index }) => ({ level, index }));
    assert.deepEqual(ids, [
      { level: 0, index: 7 },
      { level: 1, index: 3 },
      { level: 2, index: 1 },
      { level: 3, index: 0 },
    ]);
    assert.deepEqual(
      appendLeaf(appendLeaf(EMPTY_RANGE, leaf(0)).range, leaf(1)).completed.map((n) => n.level),
      [0, 1],
    );
  });

  it('appends a batch exactly as it appends one leaf at a time, from any starting size', () => {
    for (const start of [0, 1, 5, 8, 31]) {
      let single: CompactRange = appendLeaves(
        EMPTY_RANGE,
        Array.from({ length: start }, (_, i) => leaf(i)),
      ).range;
      const batch = appendLeaves(
        single,
        Array.from({ length: 40 }, (_, i) => leaf(start + i)),
      );
      const completed = [];
      for (let i = 0; i < 40; i++) {
        const step = appendLeaf(single, leaf(start + i));
        single = step.range;
        completed.push(...step.completed);
      }
      assert.deepEqual(batch.range, single);
      assert.deepEqual(batch.completed, completed);
    }
  });

  it('resumes from stored nodes with the same state', async () => {
    const tree = new MemoryTree();
    for (let i = 0; i < 45; i++) tree.append(leaf(i));
    const resumed = await loadCompactRange(tree, 45);
    assert.deepEqual(compactRoot(resumed), tree.root());
    const next = appendLeaf(resumed, leaf(45));
    tree.append(leaf(45));
    assert.deepEqual(compactRoot(next.range), tree.root());
  });

  it('refuses an inconsistent range or a leaf hash of the wrong size', () => {
    const range = (e: unknown) => isRampartError(e, 'RAMPART_AUDIT_RANGE_INVALID');
    assert.throws(() => appendLeaf({ size: 3, hashes: [leaf(0)] }, leaf(1)), range);
    assert.throws(() => appendLeaf(EMPTY_RANGE, Buffer.alloc(31)), range);
    assert.throws(() => appendLeaves(EMPTY_RANGE, [leaf(0), Buffer.alloc(33)]), range);
  });

  it('rejects reads of nodes beyond the tree', async () => {
    const tree = new MemoryTree();
    tree.append(leaf(0));
    await assert.rejects(tree.readNodes([{ level: 1, index: 0 }]), (e) =>
      isRampartError(e, 'RAMPART_AUDIT_RANGE_INVALID'),
    );
  });
});
