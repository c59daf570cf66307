import type { Migration } from './migration.js';

/**
 * The tamper-evident audit log: leaves (canonical JSON events), the immutable perfect-subtree
 * nodes of its RFC 9162 Merkle tree, and one signed checkpoint per committed batch.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'audit-log',
  statements: {
    sqlite: [
      'CREATE TABLE audit_leaves (idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, data TEXT NOT NULL, appended_at TEXT NOT NULL)',
      'CREATE TABLE audit_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx))',
      'CREATE TABLE audit_checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)',
    ],
    postgres: [
      'CREATE TABLE audit_leaves (idx BIGINT PRIMARY KEY, leaf_hash BYTEA NOT NULL, data TEXT NOT NULL, appended_at TEXT NOT NULL)',
      'CREATE TABLE audit_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx))',
      'CREATE TABLE audit_checkpoints (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)',
    ],
  },
};
