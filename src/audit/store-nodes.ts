import { RampartError } from '../core/index.js';
import type { Executor } from '../store/index.js';
import type { NodeId, NodeReader } from './merkle/plan.js';

// Keeps each statement's parameter list far below SQLite's and PostgreSQL's limits.
const IDS_PER_QUERY = 200;

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
        const where = part.map(() => '(level = ? AND idx = ?)').join(' OR ');
        const rows = await executor.query<{ level: number; idx: number; hash: Uint8Array }>(
          `SELECT level, idx, hash FROM audit_nodes WHERE ${where}`,
          part.flatMap((id) => [id.level, id.index]),
        );
        for (const row of rows) found.set(`${row.level}/${row.idx}`, Buffer.from(row.hash));
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
