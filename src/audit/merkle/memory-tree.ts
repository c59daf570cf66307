/**
 * An in-memory Merkle tree over leaf hashes, for tests and for verifying small logs locally.
 */
import { RampartError } from '../../core/index.js';
import { EMPTY_RANGE, appendLeaf, compactRoot } from './compact.js';
import type { CompactRange } from './compact.js';
import type { NodeId, NodeReader } from './plan.js';

/** A growing tree that keeps every perfect node in memory and serves them as a NodeReader. */
export class MemoryTree implements NodeReader {
  readonly #levels: Buffer[][] = [];
  #range: CompactRange = EMPTY_RANGE;

  /** The number of leaves. */
  get size(): number {
    return this.#range.size;
  }

  /** Appends a leaf hash and returns its index. @throws RAMPART_AUDIT_RANGE_INVALID for a hash not of 32 bytes. */
  append(leaf: Buffer): number {
    const { range, completed } = appendLeaf(this.#range, leaf);
    for (const node of completed) {
      const level = this.#levels[node.level] ?? [];
      level[node.index] = node.hash;
      this.#levels[node.level] = level;
    }
    this.#range = range;
    return range.size - 1;
  }

  /** The root of the whole tree. */
  root(): Buffer {
    return compactRoot(this.#range);
  }

  /** @throws RAMPART_AUDIT_RANGE_INVALID when a node lies beyond the current tree. */
  readNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    // A throw inside the executor becomes a rejection, as a real store's read would.
    return new Promise((resolve) => {
      resolve(ids.map((id) => this.#node(id)));
    });
  }

  #node(id: NodeId): Buffer {
    const hash = this.#levels[id.level]?.[id.index];
    if (hash === undefined) {
      throw new RampartError(
        'RAMPART_AUDIT_RANGE_INVALID',
        `node (level ${id.level}, index ${id.index}) is beyond the tree of size ${this.size}`,
        { details: { level: id.level, index: id.index, size: this.size } },
      );
    }
    return hash;
  }
}
