import type { Migration } from './migration.js';

/**
 * audit_nodes is keyed by the tree size at which each node was completed, then its level, so a
 * batch's nodes land together at the end of the index instead of on one page per level; and
 * leaf hashes are stored once, in audit_leaves (level-0 rows go). On SQLite the table is WITHOUT
 * ROWID: one B-tree insert per node. A node (level, idx) is completed at size (idx + 1) · 2^level.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'audit-nodes-by-size',
  statements: {
    sqlite: [
      'CREATE TABLE audit_nodes_v7 (size INTEGER NOT NULL, level INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (size, level)) WITHOUT ROWID',
      'INSERT INTO audit_nodes_v7 (size, level, hash) SELECT (idx + 1) << level, level, hash FROM audit_nodes WHERE level > 0',
      'DROP TABLE audit_nodes',
      'ALTER TABLE audit_nodes_v7 RENAME TO audit_nodes',
    ],
    postgres: [
      'CREATE TABLE audit_nodes_v7 (size BIGINT NOT NULL, level INTEGER NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (size, level))',
      'INSERT INTO audit_nodes_v7 (size, level, hash) SELECT (idx + 1) << level, level, hash FROM audit_nodes WHERE level > 0',
      'DROP TABLE audit_nodes',
      'ALTER TABLE audit_nodes_v7 RENAME TO audit_nodes',
    ],
  },
};
