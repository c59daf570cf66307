/**
 * Roots and proofs read from stored perfect nodes: each costs one batched read of O(log n)
 * nodes and at most O(log n) node hashes.
 */
import { RampartError } from '../../core/index.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hash.js';
import { consistencyPlan, inclusionPlan, rootPlan } from './plan.js';
import type { HashPlan, NodeReader, RangePlan } from './plan.js';

/** Folds hashes right to left: `[a, b, c]` → H(a ‖ H(b ‖ c)). Empty gives the empty root. */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  let acc = hashes.at(-1);
  if (acc === undefined) return EMPTY_ROOT;
  for (let i = hashes.length - 2; i >= 0; i--) {
    acc = nodeHash(hashes[i] as Buffer, acc);
  }
  return acc;
}

/**
 * Reads every node of `plan` in one call and folds each range to one hash.
 * @throws RAMPART_INTERNAL when the reader returns the wrong number or size of hashes; whatever
 * the reader throws for missing nodes.
 */
export async function readPlan(reader: NodeReader, plan: HashPlan): Promise<Buffer[]> {
  const ids = plan.flat();
  const hashes = ids.length === 0 ? [] : await reader.readNodes(ids);
  if (hashes.length !== ids.length || hashes.some((h) => h.length !== HASH_SIZE)) {
    throw new RampartError(
      'RAMPART_INTERNAL',
      `node reader returned ${hashes.length} hashes for ${ids.length} nodes, or a hash not of ${HASH_SIZE} bytes`,
    );
  }
  const out: Buffer[] = [];
  let at = 0;
  for (const range of plan) {
    out.push(foldRight(hashes.slice(at, at + range.length)));
    at += range.length;
  }
  return out;
}

/** The root of the first `size` leaves. @throws RAMPART_AUDIT_RANGE_INVALID; reader errors. */
export async function rootAt(reader: NodeReader, size: number): Promise<Buffer> {
  const plan: RangePlan = rootPlan(size);
  if (plan.length === 0) return EMPTY_ROOT;
  const [root] = await readPlan(reader, [plan]);
  return root ?? EMPTY_ROOT;
}

/**
 * The inclusion proof of leaf `index` in the tree of `size` leaves.
 * @throws RAMPART_AUDIT_RANGE_INVALID unless 0 ≤ index < size; reader errors.
 */
export async function inclusionProof(
  reader: NodeReader,
  index: number,
  size: number,
): Promise<Buffer[]> {
  const plan = inclusionPlan(index, size);
  return await readPlan(reader, plan);
}

/**
 * The consistency proof between the trees of `size1` and `size2` leaves.
 * @throws RAMPART_AUDIT_RANGE_INVALID unless 1 ≤ size1 ≤ size2; reader errors.
 */
export async function consistencyProof(
  reader: NodeReader,
  size1: number,
  size2: number,
): Promise<Buffer[]> {
  const plan = consistencyPlan(size1, size2);
  return await readPlan(reader, plan);
}
