/**
 * Which stored nodes a root or proof needs. The tree is stored as PERFECT subtrees only: node
 * (level, index) covers leaves [index·2^level, (index+1)·2^level) and never changes once it
 * exists, so a store can append nodes immutably. Every root and proof hash is the fold of a few
 * such nodes, so any of them costs O(log n) node reads, never a rehash of the log.
 */
import { RampartError } from '../../core/index.js';
import { checkCount, splitPoint } from './size.js';

/** The address of one perfect subtree; level 0 holds leaf hashes. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Reads stored perfect-subtree hashes. */
export interface NodeReader {
  /** The hashes of `ids`, in the same order; rejects when any node is missing. */
  readNodes(ids: readonly NodeId[]): Promise<Buffer[]>;
}

/**
 * The perfect nodes whose right-to-left fold is one hash: `[a, b, c]` folds to
 * H(a ‖ H(b ‖ c)). A single node is its own hash.
 */
export type RangePlan = readonly NodeId[];

/** One RangePlan per output hash (a root, or each proof element in proof order). */
export type HashPlan = readonly RangePlan[];

/**
 * The perfect nodes that make up leaves [start, end), largest first. For the ranges RFC 9162
 * hashes (start aligned to a power of two ≥ end − start), folding them right to left gives MTH.
 */
export function subtreeNodes(start: number, end: number): NodeId[] {
  const ids: NodeId[] = [];
  let at = start;
  while (at < end) {
    let width = 1;
    while (at % (width * 2) === 0 && at + width * 2 <= end) width *= 2;
    ids.push({ level: Math.log2(width), index: at / width });
    at += width;
  }
  return ids;
}

/** The nodes whose fold is the root of the first `size` leaves (empty for size 0). @throws RAMPART_AUDIT_RANGE_INVALID. */
export function rootPlan(size: number): RangePlan {
  checkCount('size', size);
  return subtreeNodes(0, size);
}

/**
 * The plan of the RFC 9162 inclusion proof (audit path) of leaf `index` in a tree of `size`,
 * leaf sibling first.
 * @throws RAMPART_AUDIT_RANGE_INVALID unless 0 ≤ index < size.
 */
export function inclusionPlan(index: number, size: number): HashPlan {
  checkCount('index', index);
  checkCount('size', size);
  if (index >= size) {
    throw new RampartError(
      'RAMPART_AUDIT_RANGE_INVALID',
      `leaf index ${index} is not in a tree of size ${size}`,
      { details: { index, size } },
    );
  }
  const path: RangePlan[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      path.push(subtreeNodes(mid, hi));
      hi = mid;
    } else {
      path.push(subtreeNodes(lo, mid));
      lo = mid;
    }
  }
  return path.reverse();
}

/**
 * The plan of the RFC 9162 consistency proof from `size1` to `size2` (empty when equal).
 * @throws RAMPART_AUDIT_RANGE_INVALID unless 1 ≤ size1 ≤ size2.
 */
export function consistencyPlan(size1: number, size2: number): HashPlan {
  checkCount('size1', size1);
  checkCount('size2', size2);
  if (size1 < 1 || size1 > size2) {
    throw new RampartError(
      'RAMPART_AUDIT_RANGE_INVALID',
      `no consistency proof from size ${size1} to size ${size2}: need 1 <= size1 <= size2`,
      { details: { size1, size2 } },
    );
  }
  const proof: RangePlan[] = [];
  let lo = 0;
  let hi = size2;
  let old = size1;
  // While the old tree's root is one of the subtrees we descend into, the verifier knows it.
  let known = true;
  while (old !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (old <= k) {
      proof.push(subtreeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(subtreeNodes(lo, lo + k));
      lo += k;
      old -= k;
      known = false;
    }
  }
  if (!known) proof.push(subtreeNodes(lo, hi));
  return proof.reverse();
}
