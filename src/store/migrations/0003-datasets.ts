import type { Migration } from './migration.js';

/**
 * Dataset versions (issue 5): one row per immutable version with its manifest (canonical JSON
 * text) and its signed provenance (DSSE envelope JSON), and the parent links of the lineage.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'datasets',
  statements: {
    sqlite: [
      'CREATE TABLE dataset_versions (name TEXT NOT NULL, seq INTEGER NOT NULL, digest TEXT NOT NULL, manifest_digest TEXT NOT NULL, manifest TEXT NOT NULL, provenance TEXT NOT NULL, path TEXT NOT NULL, file_count INTEGER NOT NULL, total_size INTEGER NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (name, seq), UNIQUE (name, digest))',
      'CREATE TABLE dataset_parents (name TEXT NOT NULL, seq INTEGER NOT NULL, position INTEGER NOT NULL, parent_name TEXT NOT NULL, parent_seq INTEGER NOT NULL, PRIMARY KEY (name, seq, position), FOREIGN KEY (name, seq) REFERENCES dataset_versions (name, seq), FOREIGN KEY (parent_name, parent_seq) REFERENCES dataset_versions (name, seq))',
    ],
    postgres: [
      'CREATE TABLE dataset_versions (name TEXT NOT NULL, seq INTEGER NOT NULL, digest TEXT NOT NULL, manifest_digest TEXT NOT NULL, manifest TEXT NOT NULL, provenance TEXT NOT NULL, path TEXT NOT NULL, file_count BIGINT NOT NULL, total_size BIGINT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (name, seq), UNIQUE (name, digest))',
      'CREATE TABLE dataset_parents (name TEXT NOT NULL, seq INTEGER NOT NULL, position INTEGER NOT NULL, parent_name TEXT NOT NULL, parent_seq INTEGER NOT NULL, PRIMARY KEY (name, seq, position), FOREIGN KEY (name, seq) REFERENCES dataset_versions (name, seq), FOREIGN KEY (parent_name, parent_seq) REFERENCES dataset_versions (name, seq))',
    ],
  },
};
