/**
 * The compact range of a tree: the hashes of the perfect subtrees along its right edge (one
 * per set bit of the size, largest first). It is all an appender needs to keep in memory to
 * add leaves, produce the nodes to store, and compute the root without reading the store.
 */
import { RampartError } from '../../core/index.js';
import { HASH_SIZE, nodeHash } from './hash.js';
import { nodesCompletedBy, rootPlan } from './plan.js';
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
  const ids = nodesCompletedBy(range.size);
  if (leaf.length !== HASH_SIZE || range.hashes.length !== perfectSubtrees(range.size)) {
    throw new RampartError(
      'RAMPART_AUDIT_RANGE_INVALID',
      `cannot append to a compact range of size ${range.size} with ${range.hashes.length} hashes`,
      { details: { size: range.size, hashes: range.hashes.length } },
    );
  }
  const hashes = range.hashes.slice();
  let hash = leaf;
  const completed: StoredNode[] = [{ level: 0, index: range.size, hash }];
  for (const id of ids.slice(1)) {
    // The perfect node to the left at this level is the last edge node; rootPlan guarantees it.
    hash = nodeHash(hashes.pop() as Buffer, hash);
    completed.push({ ...id, hash });
  }
  hashes.push(hash);
  return {
    range: Object.freeze({ size: range.size + 1, hashes: Object.freeze(hashes) }),
    completed,
  };
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
