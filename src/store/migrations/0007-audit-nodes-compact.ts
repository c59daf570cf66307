import type { Migration } from './migration.js';

/**
 * Leaf hashes are stored once, in audit_leaves: level-0 rows leave audit_nodes. On SQLite the
 * table becomes WITHOUT ROWID, so each node is one B-tree insert instead of a row plus an index
 * entry (the audit append benchmark's largest cost).
 */
export const migration0007: Migration = {
  version: 7,
  name: 'audit-nodes-compact',
  statements: {
    sqlite: [
      'CREATE TABLE audit_nodes_v7 (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID',
      'INSERT INTO audit_nodes_v7 (level, idx, hash) SELECT level, idx, hash FROM audit_nodes WHERE level > 0',
      'DROP TABLE audit_nodes',
      'ALTER TABLE audit_nodes_v7 RENAME TO audit_nodes',
    ],
    postgres: ['DELETE FROM audit_nodes WHERE level = 0'],
  },
};
