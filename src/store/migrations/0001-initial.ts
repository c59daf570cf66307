import { portable, type Migration } from './migration.js';

/** Key/value settings of the installation. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  statements: portable('CREATE TABLE rampart_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)'),
};
