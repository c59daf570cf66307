import { portable, type Migration } from './migration.js';

/**
 * Training runs (issue 9): one row per run with its signed SLSA provenance (DSSE envelope
 * JSON), its outcome and its declared outputs. Runs are append-only like model versions.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'training-runs',
  statements: portable(
    'CREATE TABLE training_runs (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, exit_code INTEGER, principal TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, isolated INTEGER NOT NULL, provenance TEXT NOT NULL, provenance_digest TEXT NOT NULL, record TEXT NOT NULL)',
    'CREATE TABLE training_run_outputs (run_id TEXT NOT NULL REFERENCES training_runs (id), position INTEGER NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (run_id, position))',
  ),
};
