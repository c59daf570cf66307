import type { Migration } from './migration.js';

const NOW = {
  sqlite: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  postgres: `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
};

/** Tables shared verbatim by both dialects. */
const COMMON = [
  // Identity (issue 6): people and service accounts, their roles (comma-separated), API tokens
  // stored as SHA-256 only.
  'CREATE TABLE principals (name TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT REFERENCES principals (name), roles TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, disabled_at TEXT)',
  'CREATE TABLE api_tokens (id TEXT PRIMARY KEY, principal TEXT NOT NULL REFERENCES principals (name), hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, created_by TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, revoked_by TEXT)',
  // Registry: models, immutable versions (guarded by triggers below), their dataset lineage.
  'CREATE TABLE models (name TEXT PRIMARY KEY, created_at TEXT NOT NULL, created_by TEXT NOT NULL)',
  'CREATE TABLE model_versions (name TEXT NOT NULL REFERENCES models (name), version INTEGER NOT NULL, digest TEXT NOT NULL, manifest TEXT NOT NULL, bundle TEXT NOT NULL, scan_digest TEXT NOT NULL, scan_summary TEXT NOT NULL, run_id TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (name, version))',
  'CREATE TABLE model_version_datasets (name TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL, dataset_name TEXT NOT NULL, dataset_seq INTEGER NOT NULL, dataset_digest TEXT NOT NULL, PRIMARY KEY (name, version, position), FOREIGN KEY (name, version) REFERENCES model_versions (name, version), FOREIGN KEY (dataset_name, dataset_seq) REFERENCES dataset_versions (name, seq))',
  'CREATE TABLE model_quarantines (name TEXT NOT NULL, version INTEGER NOT NULL, reason TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (name, version), FOREIGN KEY (name, version) REFERENCES model_versions (name, version))',
  'CREATE TABLE model_aliases (name TEXT NOT NULL REFERENCES models (name), alias TEXT NOT NULL, version INTEGER NOT NULL, request_id TEXT, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (name, alias), FOREIGN KEY (name, version) REFERENCES model_versions (name, version))',
  'CREATE TABLE promotion_requests (id TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, alias TEXT NOT NULL, state TEXT NOT NULL, evidence TEXT NOT NULL, requested_by TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, decided_at TEXT, reason TEXT, FOREIGN KEY (name, version) REFERENCES model_versions (name, version))',
  'CREATE TABLE promotion_reviews (request_id TEXT NOT NULL REFERENCES promotion_requests (id), principal TEXT NOT NULL, role TEXT NOT NULL, decision TEXT NOT NULL, comment TEXT, statement TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (request_id, principal))',
  // Audit receipts kept with the objects they concern ({index} of the entry in the log).
  'CREATE TABLE audit_receipts (resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, action TEXT NOT NULL, audit_index BIGINT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (resource_type, resource_id, action, audit_index))',
  // Encryption at rest: each blob's data key, wrapped by the key-encryption key provider.
  'CREATE TABLE blob_keys (digest TEXT PRIMARY KEY, provider TEXT NOT NULL, kek_id TEXT NOT NULL, wrapped TEXT NOT NULL, created_at TEXT NOT NULL, rewrapped_at TEXT)',
];

const IMMUTABLE = ['model_versions', 'model_version_datasets'];

/**
 * Identity, registry and encryption-at-rest tables (issue 6). Model versions and their lineage
 * are append-only: the database itself refuses UPDATE and DELETE on them.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'identity-registry',
  statements: {
    sqlite: [
      ...COMMON,
      ...IMMUTABLE.flatMap((table) =>
        ['UPDATE', 'DELETE'].map(
          (op) =>
            `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} rows are immutable'); END`,
        ),
      ),
      `INSERT INTO principals (name, kind, owner, roles, created_at, created_by) VALUES ('admin', 'human', NULL, 'admin', ${NOW.sqlite}, 'rampart')`,
    ],
    postgres: [
      ...COMMON,
      "CREATE FUNCTION rampart_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME; END $$",
      ...IMMUTABLE.map(
        (table) =>
          `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION rampart_refuse_change()`,
      ),
      ...IMMUTABLE.map(
        (table) =>
          `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION rampart_refuse_change()`,
      ),
      `INSERT INTO principals (name, kind, owner, roles, created_at, created_by) VALUES ('admin', 'human', NULL, 'admin', ${NOW.postgres}, 'rampart')`,
    ],
  },
};
