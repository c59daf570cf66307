import { RampartError } from '../core/index.js';
import type { Executor } from '../store/index.js';
import type { NodeId, NodeReader } from './merkle/plan.js';

// Keeps each statement's parameter list far below SQLite's and PostgreSQL's limits.
const IDS_PER_QUERY = 200;

/**
 * The tree size at which a perfect node is completed, `(index + 1) · 2^level`: with the level,
 * the key of its audit_nodes row, so that each batch's nodes are stored together at the end of
 * the table (migration 7).
 */
export function completedAt(id: NodeId): number {
  return (id.index + 1) * 2 ** id.level;
}

/** The `level/index` key of an audit_nodes row (the inverse of {@link completedAt}). */
export function nodeRowKey(row: { readonly size: number; readonly level: number }): string {
  return `${row.level}/${row.size / 2 ** row.level - 1}`;
}

/**
 * Reads perfect-subtree hashes from the store (inside or outside a transaction): level-0 nodes
 * are the leaf hashes in audit_leaves, higher ones are rows of audit_nodes.
 */
export function storeNodeReader(executor: Executor): NodeReader {
  return {
    async readNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
      const found = new Map<string, Buffer>();
      const leaves = ids.filter((id) => id.level === 0);
      const nodes = ids.filter((id) => id.level > 0);
      for (let at = 0; at < leaves.length; at += IDS_PER_QUERY) {
        const part = leaves.slice(at, at + IDS_PER_QUERY);
        const rows = await executor.query<{ idx: number; leaf_hash: Uint8Array }>(
          `SELECT idx, leaf_hash FROM audit_leaves WHERE idx IN (${part.map(() => '?').join(', ')})`,
          part.map((id) => id.index),
        );
        for (const row of rows) found.set(`0/${row.idx}`, Buffer.from(row.leaf_hash));
      }
      for (let at = 0; at < nodes.length; at += IDS_PER_QUERY) {
        const part = nodes.slice(at, at + IDS_PER_QUERY);
        const where = part.map(() => '(size = ? AND level = ?)').join(' OR ');
        const rows = await executor.query<{ size: number; level: number; hash: Uint8Array }>(
          `SELECT size, level, hash FROM audit_nodes WHERE ${where}`,
          part.flatMap((id) => [completedAt(id), id.level]),
        );
        for (const row of rows) found.set(nodeRowKey(row), Buffer.from(row.hash));
      }
      return ids.map((id) => {
        const hash = found.get(`${id.level}/${id.index}`);
        if (hash === undefined) {
          throw new RampartError(
            'RAMPART_AUDIT_TAMPERED',
            `audit node (level ${id.level}, index ${id.index}) is missing from the store`,
            { details: { level: id.level, index: id.index } },
          );
        }
        return hash;
      });
    },
  };
}
