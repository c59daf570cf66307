/**
 * The compact range of a tree: the hashes of the perfect subtrees along its right edge (one
 * per set bit of the size, largest first). It is all an appender needs to keep in memory to
 * add leaves, produce the nodes to store, and compute the root without reading the store.
 */
import { RampartError } from '../../core/index.js';
import { HASH_SIZE, nodeHash } from './hash.js';
import { rootPlan } from './plan.js';
import type { NodeId, NodeReader } from './plan.js';
import { foldRight, readPlan } from './proofs.js';

/** The right-edge state of a tree of `size` leaves; `hashes` follow {@link rootPlan} order. */
export interface CompactRange {
  readonly size: number;
  readonly hashes: readonly Buffer[];
}

/** A perfect node with its hash, ready to be stored. */
export interface StoredNode extends NodeId {
  readonly hash: Buffer;
}

/** The compact range of the empty tree. */
export const EMPTY_RANGE: CompactRange = Object.freeze({ size: 0, hashes: Object.freeze([]) });

/**
 * Appends one leaf hash: returns the new range and the perfect nodes it completes (leaf first).
 * @throws RAMPART_AUDIT_RANGE_INVALID when `range` is inconsistent with its size or the leaf
 * hash is not 32 bytes.
 */
export function appendLeaf(
  range: CompactRange,
  leaf: Buffer,
): { range: CompactRange; completed: StoredNode[] } {
  return appendLeaves(range, [leaf]);
}

/**
 * Appends leaf hashes in order: returns the new range and every perfect node they complete
 * (each leaf, then the nodes above it), as {@link appendLeaf} would one by one.
 * @throws RAMPART_AUDIT_RANGE_INVALID as {@link appendLeaf}.
 */
export function appendLeaves(
  range: CompactRange,
  leaves: readonly Buffer[],
): { range: CompactRange; completed: StoredNode[] } {
  if (range.hashes.length !== perfectSubtrees(range.size)) {
    throw new RampartError(
      'RAMPART_AUDIT_RANGE_INVALID',
      `cannot append to a compact range of size ${range.size} with ${range.hashes.length} hashes`,
      { details: { size: range.size, hashes: range.hashes.length } },
    );
  }
  const hashes = range.hashes.slice();
  const completed: StoredNode[] = [];
  let size = range.size;
  for (const leaf of leaves) {
    if (leaf.length !== HASH_SIZE) {
      throw new RampartError(
        'RAMPART_AUDIT_RANGE_INVALID',
        `a leaf hash has ${leaf.length} bytes, not ${HASH_SIZE}`,
        { details: { size, hashes: hashes.length } },
      );
    }
    let hash = leaf;
    completed.push({ level: 0, index: size, hash });
    // Each trailing one bit of the leaf's index closes a perfect subtree with the edge node to
    // its left (rootPlan order puts that node last). Arithmetic, not bit shifts: those stop at
    // 2^31.
    for (let level = 1, index = size; index % 2 === 1; level++) {
      index = (index - 1) / 2;
      hash = nodeHash(hashes.pop() as Buffer, hash);
      completed.push({ level, index, hash });
    }
    hashes.push(hash);
    size++;
  }
  return { range: Object.freeze({ size, hashes: Object.freeze(hashes) }), completed };
}

// A tree of `size` leaves has one perfect subtree on its right edge per set bit of `size`.
function perfectSubtrees(size: number): number {
  let count = 0;
  for (let rest = size; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/** The root hash of the tree a compact range describes. */
export function compactRoot(range: CompactRange): Buffer {
  return foldRight(range.hashes);
}

/** Loads the compact range of the first `size` leaves from stored nodes (to resume appending). */
export async function loadCompactRange(reader: NodeReader, size: number): Promise<CompactRange> {
  const hashes = await readPlan(
    reader,
    rootPlan(size).map((id) => [id]),
  );
  return Object.freeze({ size, hashes: Object.freeze(hashes) });
}
