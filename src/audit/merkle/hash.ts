/**
 * RFC 9162 §2.1.1 hashing: domain-separated SHA-256 for leaves and interior nodes, so a leaf
 * can never be passed off as a node (second-preimage defence).
 */
import { createHash, hash } from 'node:crypto';

/** Bytes in every Merkle hash (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The leaf hash of an entry: SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash('sha256')
      .update(NODE_INPUT.subarray(0, 1))
      .update(left)
      .update(right)
      .digest();
  }
  // One-shot hashing over a reused input buffer: this runs for every node of every append.
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  return hash('sha256', NODE_INPUT, 'buffer');
}
