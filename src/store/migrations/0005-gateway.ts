import { portable, type Migration } from './migration.js';

/**
 * The gateway (issue 7): which principal may call which served model with which verb
 * (`infer`, `metadata`; model `*` for all), and the canary deployment of each served model,
 * shared by every gateway process through the store.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'gateway',
  statements: portable(
    'CREATE TABLE model_grants (principal TEXT NOT NULL REFERENCES principals (name), model TEXT NOT NULL, verb TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (principal, model, verb))',
    'CREATE TABLE deployments (model TEXT PRIMARY KEY, stable_version INTEGER NOT NULL, canary_version INTEGER NOT NULL, steps TEXT NOT NULL, step INTEGER NOT NULL, weight INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL)',
  ),
};
